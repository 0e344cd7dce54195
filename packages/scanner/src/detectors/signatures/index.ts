import type { Detector } from '../../detector.ts';
import { ecrecoverZeroAddress } from './ecrecover-zero-address.ts';
import { encodePackedCollision } from './encode-packed-collision.ts';
import { signatureMalleability } from './signature-malleability.ts';
import { signatureReplay } from './signature-replay.ts';

export const signaturesDetectors: Detector[] = [
  signatureReplay,
  signatureMalleability,
  ecrecoverZeroAddress,
  encodePackedCollision,
];
