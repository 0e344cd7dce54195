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
export { activePolicy } from './guard/activePolicy.ts';
export { type AuthorizedRequest, authorizedRequest } from './guard/authorizedRequest.ts';
export { type RefusalReason, WalletRefusedError } from './guard/errors.ts';
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
