export {
  type DecryptKeystoreOptions,
  decryptKeystore,
  type EncryptKeystoreOptions,
  encryptKeystore,
  KeystorePasswordError,
  type KeystoreV3,
  type Pbkdf2KdfParams,
  type ScryptKdfParams,
} from '@bulwark/chain';
export { type Competitor, type CompetitorWatch, createCompetitorWatch } from './competitors.ts';
export {
  type CreateResponderParameters,
  createResponder,
  type Responder,
  type ResponderOutcome,
} from './createResponder.ts';
export {
  ForbiddenCalldataError,
  GuardianKeyError,
  PauseFailedError,
  PauseRefusedError,
  PauseSimulationError,
  ResponderConfigError,
  ResponderRpcError,
  SafeProposalError,
} from './errors.ts';
export {
  bumpFees,
  type CompetitorFees,
  type FeeLimit,
  type Fees,
  feeCeiling,
  minBumpPercent,
  type OutbidFees,
  outbidBy,
  outbidFees,
  type PauseFeeOptions,
  pauseFees,
  type ResolvedFeeOptions,
  resolveFeeOptions,
} from './fees.ts';
export { type GuardianKeySource, type LoadGuardianKeyOptions, loadGuardianKey } from './guardianKey.ts';
export {
  assertPauseCalldata,
  type PauseTransaction,
  pausableAbi,
  pauseSelector,
  pauseTransaction,
  readPaused,
  signPauseTransaction,
} from './pauseCall.ts';
export {
  type CreatePauseResponderParameters,
  createPauseResponder,
  type PauseBroadcast,
  type PauseHandle,
  type PauseOutcome,
  type PausePricing,
  type PauseRelay,
  type PauseResponder,
  type PauseStatus,
  type PauseStep,
  type PlannedPauseTransaction,
} from './pauseSender.ts';
export { poolClient } from './poolClient.ts';
export {
  type CreateSafeProposerParameters,
  createSafeProposer,
  hashSafeTransaction,
  type SafeProposalNotice,
  type SafeProposalOutcome,
  type SafeProposer,
  type SafeTransaction,
  safeAbi,
  safeDomainTypehash,
  safePauseTransaction,
  safeTxTypehash,
} from './safeProposal.ts';
export type { ResponderRequest } from './types.ts';
