import type { Detector } from '../../detector.ts';

export const oracleDetectors: Detector[] = [];
