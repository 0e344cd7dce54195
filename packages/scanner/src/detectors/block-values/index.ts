import type { Detector } from '../../detector.ts';
import { timestampDependence } from './timestamp-dependence.ts';
import { weakRandomness } from './weak-randomness.ts';

export const blockValuesDetectors: Detector[] = [timestampDependence, weakRandomness];
