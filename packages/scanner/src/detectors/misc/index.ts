import type { Detector } from '../../detector.ts';

export const miscDetectors: Detector[] = [];
