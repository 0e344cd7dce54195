import { txOriginAuth } from './tx-origin-auth.ts';

export const accessControlDetectors = [txOriginAuth];
