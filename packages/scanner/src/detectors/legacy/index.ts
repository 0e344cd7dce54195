import type { Detector } from '../../detector.ts';

export const legacyDetectors: Detector[] = [];
