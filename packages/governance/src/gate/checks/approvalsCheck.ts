import type { VerifyApprovalsReturnType } from '../../approvals/verifyApprovals.ts';
import { check, type GateCheck, listNames } from '../gateCheck.ts';
import type { GateConfig } from '../gateConfig.ts';

/** Passes with at least `requiredApprovals` distinct, valid approvals of this release digest. */
export function approvalsCheck(
  verified: VerifyApprovalsReturnType,
  config: GateConfig,
  release: { digest: string; target: string },
): GateCheck {
  const required = config.requiredApprovals;
  const count = verified.approvedBy.length;
  const rejected = verified.verdicts.filter((v) => !v.valid);
  const details = {
    required,
    approvedBy: verified.approvedBy,
    rejected: rejected.map((v) => ({ keyId: v.keyId, approver: v.approver, reason: v.reason })),
  };
  const notCounted =
    rejected.length > 0
      ? ` Not counted: ${rejected.map((v) => `${v.approver ?? v.keyId}: ${v.reason}`).join('; ')}.`
      : '';
  if (count >= required)
    return check(
      'approvals',
      'pass',
      `${count} of ${required} required approvals: ${listNames(verified.approvedBy)}.${notCounted}`,
      details,
    );
  const registered =
    config.approvers.length === 0 ? ' No approvers are registered: add them to gate.approvers in the manifest.' : '';
  const by = count > 0 ? ` (${listNames(verified.approvedBy)})` : '';
  return check(
    'approvals',
    'fail',
    `${count} of ${required} required approvals of release ${release.digest.slice(0, 12)}… for ${release.target}${by}.${notCounted}${registered} Approvers run \`bulwark approve --target ${release.target}\`.`,
    details,
  );
}
