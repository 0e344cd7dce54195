import type { Detector } from '../../detector.ts';
import { reentrancyCrossFunction } from './reentrancy-cross-function.ts';
import { reentrancyEth } from './reentrancy-eth.ts';
import { reentrancyEvents } from './reentrancy-events.ts';
import { reentrancyNoEth } from './reentrancy-no-eth.ts';
import { reentrancyReadOnly } from './reentrancy-read-only.ts';
import { reentrancySend } from './reentrancy-send.ts';

export const reentrancyDetectors: Detector[] = [
  reentrancyEth,
  reentrancyNoEth,
  reentrancyCrossFunction,
  reentrancyReadOnly,
  reentrancySend,
  reentrancyEvents,
];
