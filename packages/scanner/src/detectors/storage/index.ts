import type { Detector } from '../../detector.ts';

export const storageDetectors: Detector[] = [];
