import type { Approval } from '@bulwark/store';
import type { Approver } from '../gate/gateConfig.ts';
import { approvalMessage, verifyApprovalSignature } from './approvalSignature.ts';

export type ApprovalVerdict = {
  /** The registered approver's name; undefined when the key is not registered. */
  approver?: string | undefined;
  keyId: string;
  algorithm: string;
  signature: string;
  signedAt: string;
  valid: boolean;
  /** Why it does (not) count. */
  reason: string;
};

export type VerifyApprovalsParameters = {
  digest: string;
  target: string;
  approvals: readonly Pick<Approval, 'approverKeyId' | 'algorithm' | 'signature' | 'signedAt'>[];
  approvers: readonly Approver[];
  /** The release's author or requester (a name or key id): their approval never counts. */
  author?: string | undefined;
};

export type VerifyApprovalsReturnType = {
  verdicts: ApprovalVerdict[];
  /** Names of the distinct approvers with a valid approval. */
  approvedBy: string[];
};

/**
 * Re-checks every recorded approval of a release, whatever the store says: the signer is
 * registered, the signature verifies for THIS digest and target (one made for another release or
 * target, or forged, does not), the signer is not the author, and each approver counts once.
 */
export function verifyApprovals(parameters: VerifyApprovalsParameters): VerifyApprovalsReturnType {
  const message = approvalMessage(parameters.digest, parameters.target);
  const approvedBy: string[] = [];
  const verdicts = parameters.approvals.map((approval): ApprovalVerdict => {
    const base = {
      keyId: approval.approverKeyId,
      algorithm: approval.algorithm,
      signature: approval.signature,
      signedAt: approval.signedAt.toISOString(),
    };
    const approver = findApprover(parameters.approvers, approval.approverKeyId);
    if (!approver || approver.key.algorithm !== approval.algorithm)
      return { ...base, valid: false, reason: 'the key is not a registered approver (gate.approvers)' };
    const named = { ...base, approver: approver.name };
    const checked = verifyApprovalSignature(approver.key, message, approval.signature);
    if (!checked.valid)
      return {
        ...named,
        valid: false,
        reason: `${checked.reason} for release ${parameters.digest} (${parameters.target}): forged, or signed for another release or target`,
      };
    if (isAuthor(parameters.author, approver))
      return { ...named, valid: false, reason: `${approver.name} is the release author; an author cannot approve` };
    if (approvedBy.includes(approver.name))
      return { ...named, valid: false, reason: `${approver.name} has already approved; each approver counts once` };
    approvedBy.push(approver.name);
    return { ...named, valid: true, reason: 'valid signature of a registered approver' };
  });
  return { verdicts, approvedBy };
}

export function findApprover(approvers: readonly Approver[], keyId: string): Approver | undefined {
  const id = keyId.toLowerCase();
  return approvers.find((a) => a.key.keyId.toLowerCase() === id);
}

/** Whether `author` (a name or a key id) names this approver. */
export function isAuthor(author: string | undefined, approver: Approver): boolean {
  if (!author) return false;
  return author === approver.name || author.toLowerCase() === approver.key.keyId.toLowerCase();
}
