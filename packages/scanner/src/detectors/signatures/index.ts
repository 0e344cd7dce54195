import type { Detector } from '../../detector.ts';

export const signaturesDetectors: Detector[] = [];
