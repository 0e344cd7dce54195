// The wallet guard: policies, approvals and signers for hosted wallets (policy/, approvals/,
// velocity/, signers/, custody/), and checks for self-custody wallets (selfcustody/).

export {
  type ApproveRequestParameters,
  type ApproveRequestReturnType,
  approveRequest,
  rejectRequest,
} from './approvals/approveRequest.ts';
export {
  type ApprovePolicyReturnType,
  approvePolicy,
  policyLoosens,
  proposePolicy,
} from './approvals/policyChanges.ts';
export { evaluateQuorum, type QuorumResult, quorumMembers } from './approvals/quorum.ts';
// Signers behind one gate (signAllowed), the Safe proposer, the pre-sign preview, hot/cold custody.
export {
  type AssetCustody,
  type CheckCustodyParameters,
  type CustodyReport,
  checkCustody,
  custodyAlerts,
  type SweepProposal,
  type SweepTransfer,
  sendCustodyAlerts,
} from './custody/checkCustody.ts';
export {
  type CustodyAsset,
  type CustodyChain,
  type CustodyConfig,
  type CustodyTier,
  type CustodyWallet,
  defaultCeiling,
  loadCustodyConfig,
  parseCustodyConfig,
} from './custody/config.ts';
export { activePolicy } from './guard/activePolicy.ts';
export { type AuthorizedRequest, authorizedRequest } from './guard/authorizedRequest.ts';
export { type RefusalReason, WalletRefusedError } from './guard/errors.ts';
export {
  broadcastSignedAgain,
  type SendingClient,
  type SendRequestParameters,
  type SendRequestReturnType,
  sendingClient,
  sendRequest,
} from './guard/sendRequest.ts';
export {
  payloadForRequest,
  type SignRequestParameters,
  signRequest,
  type TransactionFields,
} from './guard/signRequest.ts';
export {
  type StartWalletSenderParameters,
  startWalletSender,
  type WalletSender,
} from './guard/startWalletSender.ts';
export {
  type SubmitRequestParameters,
  type SubmitRequestReturnType,
  submitRequest,
  submitRequestText,
} from './guard/submitRequest.ts';
export { priceSourceFor, valueRequest } from './guard/valueRequest.ts';
export { type CompiledPolicy, compilePolicy, type DestinationStatus } from './policy/compilePolicy.ts';
export { builtinChecks, type Decision, type DecisionOutcome, decideRequest } from './policy/decide.ts';
export {
  defaultSettings,
  loadPolicy,
  type PolicyRule,
  parseDuration,
  parsePolicy,
  policyDigest,
  type Quorum,
  type RuleAction,
  type RuleMatch,
  type WalletPolicy,
  WalletPolicyError,
} from './policy/policy.ts';
export {
  formatUsd,
  httpPriceSource,
  type Price,
  type PriceSource,
  PriceSourceError,
  parseUsd,
  staticPriceTable,
  usdValue,
} from './policy/prices.ts';
export {
  type ApprovalChange,
  type AssetChange,
  type PreviewFlag,
  type PreviewSeverity,
  type PreviewTransactionParameters,
  previewTransaction,
  type StorageChange,
  type TransactionPreview,
} from './preview/previewTransaction.ts';
export { type PreviewRequest, parsePreviewRequest } from './preview/request.ts';
export type { FlagId as PreviewFlagId } from './preview/signatures.ts';
export {
  maxRequestBytes,
  parseRequest,
  parseRequestText,
  requestDigest,
  requestFromJson,
  requestToJson,
  type WalletRequest,
  WalletRequestError,
  type WalletRequestInput,
} from './request/request.ts';
export {
  proposeSafeTransaction,
  type SafeIntent,
  type SafeProposal,
  SafeTransactionError,
  safeSignatures,
  safeTransactionOf,
} from './safe/proposeSafeTransaction.ts';
export { type AccountInfo, getAccountInfo } from './selfcustody/accountInfo.ts';
export {
  type ApprovalFlag,
  type ApprovalKind,
  type ListApprovalsParameters,
  type ListApprovalsReturnType,
  listApprovals,
  revokeTransaction,
  type TokenApproval,
} from './selfcustody/approvals/listApprovals.ts';
export {
  checkDestination,
  type DestinationCheck,
  isLookalike,
  type LookalikeOptions,
} from './selfcustody/poisoning/checkDestination.ts';
export {
  type CheckDestinationHistoryReturnType,
  checkDestinationHistory,
} from './selfcustody/poisoning/checkDestinationHistory.ts';
export {
  type FindPoisoningParameters,
  type FindPoisoningReturnType,
  findPoisoning,
  type PoisoningEvidence,
  type PoisoningFinding,
} from './selfcustody/poisoning/findPoisoning.ts';
export {
  type CheckSignatureParameters,
  type CheckSignatureReturnType,
  checkSignature,
  riskAtLeast,
} from './selfcustody/signature/checkSignature.ts';
export { allSignatureChecks } from './selfcustody/signature/checks/index.ts';
export { parseSignatureRequest } from './selfcustody/signature/parseSignatureRequest.ts';
export { type RiskLevel, riskLevels, type SignatureFinding } from './selfcustody/signature/types.ts';
export { SignerError, SignRefusedError } from './signers/errors.ts';
export { type CreateKmsSignerParameters, createKmsSigner } from './signers/kms.ts';
export {
  type CreateKeystoreSignerParameters,
  type CreateLocalKeySignerParameters,
  createKeystoreSigner,
  createLocalKeySigner,
} from './signers/localKey.ts';
export {
  type PayloadDigest,
  payloadDigest,
  type SignAllowedOptions,
  type SignAuthorization,
  type Signature,
  type SignedPayload,
  type Signer,
  type SignPayload,
  signAllowed,
} from './signers/signer.ts';
export type { AwsCredentials } from './signers/sigv4.ts';
export { type CreateWeb3SignerParameters, createWeb3Signer } from './signers/web3signer.ts';
