import type { Detector } from '../../detector.ts';

export const arithmeticDetectors: Detector[] = [];
