import type { Detector } from '../detector.ts';
import { accessControlDetectors } from './access-control/index.ts';
import { arithmeticDetectors } from './arithmetic/index.ts';
import { blockValuesDetectors } from './block-values/index.ts';
import { designDetectors } from './design/index.ts';
import { dosDetectors } from './dos/index.ts';
import { legacyDetectors } from './legacy/index.ts';
import { miscDetectors } from './misc/index.ts';
import { oracleDetectors } from './oracle/index.ts';
import { orderingDetectors } from './ordering/index.ts';
import { reentrancyDetectors } from './reentrancy/index.ts';
import { signaturesDetectors } from './signatures/index.ts';
import { storageDetectors } from './storage/index.ts';
import { uncheckedCallsDetectors } from './unchecked-calls/index.ts';

/** Every detector, in one explicit list; each category folder keeps its own. */
export const allDetectors: Detector[] = [
  ...reentrancyDetectors,
  ...uncheckedCallsDetectors,
  ...accessControlDetectors,
  ...storageDetectors,
  ...arithmeticDetectors,
  ...blockValuesDetectors,
  ...orderingDetectors,
  ...dosDetectors,
  ...signaturesDetectors,
  ...oracleDetectors,
  ...designDetectors,
  ...legacyDetectors,
  ...miscDetectors,
];
