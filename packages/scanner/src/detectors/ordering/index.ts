import type { Detector } from '../../detector.ts';

export const orderingDetectors: Detector[] = [];
