import type { Detector } from '../../detector.ts';
import { callsInLoop } from './calls-in-loop.ts';
import { delegatecallInLoop } from './delegatecall-in-loop.ts';
import { failedSendDos } from './failed-send-dos.ts';
import { msgValueInLoop } from './msg-value-in-loop.ts';
import { unboundedLoop } from './unbounded-loop.ts';

export const dosDetectors: Detector[] = [callsInLoop, unboundedLoop, failedSendDos, msgValueInLoop, delegatecallInLoop];
