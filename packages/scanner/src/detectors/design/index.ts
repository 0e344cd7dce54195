import type { Detector } from '../../detector.ts';

export const designDetectors: Detector[] = [];
