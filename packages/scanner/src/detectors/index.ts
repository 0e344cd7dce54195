import type { Detector } from '../detector.ts';
import { accessControlDetectors } from './access-control/index.ts';
import { reentrancyDetectors } from './reentrancy/index.ts';

/** Every detector, in one explicit list (each category keeps its own list). */
export const allDetectors: Detector[] = [...reentrancyDetectors, ...accessControlDetectors];
