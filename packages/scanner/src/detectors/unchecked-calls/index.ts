import type { Detector } from '../../detector.ts';

export const uncheckedCallsDetectors: Detector[] = [];
