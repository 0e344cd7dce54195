import type { Detector } from '../../detector.ts';

export const blockValuesDetectors: Detector[] = [];
