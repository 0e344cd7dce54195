import type { Detector } from '../../detector.ts';
import { criticalStateChangeWithoutEvent } from './critical-state-change-without-event.ts';
import { missingCircuitBreaker } from './missing-circuit-breaker.ts';
import { singleEoaOwner } from './single-eoa-owner.ts';
import { upgradeableProxyWithoutTimelock } from './upgradeable-proxy-without-timelock.ts';

export const designDetectors: Detector[] = [
  missingCircuitBreaker,
  singleEoaOwner,
  upgradeableProxyWithoutTimelock,
  criticalStateChangeWithoutEvent,
];
