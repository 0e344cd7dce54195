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
  type CheckSignatureParameters,
  type CheckSignatureReturnType,
  checkSignature,
  riskAtLeast,
} from './selfcustody/signature/checkSignature.ts';
export { allSignatureChecks } from './selfcustody/signature/checks/index.ts';
export { parseSignatureRequest } from './selfcustody/signature/parseSignatureRequest.ts';
export { type RiskLevel, riskLevels, type SignatureFinding } from './selfcustody/signature/types.ts';
