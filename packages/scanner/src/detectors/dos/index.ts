import type { Detector } from '../../detector.ts';

export const dosDetectors: Detector[] = [];
