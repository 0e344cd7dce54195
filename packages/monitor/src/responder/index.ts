export {
  type CreateResponderParameters,
  createResponder,
  type Responder,
  type ResponderOutcome,
} from './createResponder.ts';
export {
  ForbiddenCalldataError,
  GuardianKeyError,
  KeystorePasswordError,
  PauseFailedError,
  PauseRefusedError,
  PauseSimulationError,
  ResponderConfigError,
  ResponderRpcError,
  SafeProposalError,
} from './errors.ts';
export {
  bumpFees,
  type Fees,
  minBumpPercent,
  type PauseFeeOptions,
  pauseFees,
  type ResolvedFeeOptions,
  resolveFeeOptions,
} from './fees.ts';
export { type GuardianKeySource, type LoadGuardianKeyOptions, loadGuardianKey } from './guardianKey.ts';
export {
  type DecryptKeystoreOptions,
  decryptKeystore,
  type EncryptKeystoreOptions,
  encryptKeystore,
  type KeystoreV3,
  type Pbkdf2KdfParams,
  type ScryptKdfParams,
} from './keystore.ts';
export {
  assertPauseCalldata,
  type PauseTransaction,
  pausableAbi,
  pauseSelector,
  pauseTransaction,
  signPauseTransaction,
} from './pauseCall.ts';
export {
  type CreatePauseResponderParameters,
  createPauseResponder,
  type PauseOutcome,
  type PauseResponder,
  type PauseStatus,
  type PauseStep,
  type PlannedPauseTransaction,
} from './pauseSender.ts';
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
