// The wallet guard: policies, approvals and signers for hosted wallets (policy/, approvals/,
// velocity/, signers/, custody/), and checks for self-custody wallets (selfcustody/).
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
