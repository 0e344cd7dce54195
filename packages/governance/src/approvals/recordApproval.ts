import { type Approval, insertApproval, listApprovals, type StoreClient } from '@bulwark/store';
import type { Approver } from '../gate/gateConfig.ts';
import { withLogEntry } from '../log/withLogEntry.ts';
import { approvalMessage, signApprovalMessage, verifyApprovalSignature } from './approvalSignature.ts';
import { ApprovalError } from './errors.ts';
import type { SigningKey } from './keys.ts';
import { findApprover, isAuthor } from './verifyApprovals.ts';

export type RecordApprovalParameters = {
  digest: string;
  target: string;
  approvers: readonly Approver[];
  /** The release author (name or key id): refused as an approver. */
  author?: string | undefined;
  /** The approver's name, when given: the key must be that approver's. */
  approverName?: string | undefined;
  signedAt?: Date | undefined;
} & (
  | { key: SigningKey; signature?: undefined }
  /** A signature made elsewhere (a hardware wallet, `cast wallet sign`): `approverName` says whose. */
  | { key?: undefined; signature: string }
);

export type RecordApprovalReturnType = { approval: Approval; approver: Approver; message: string };

const docsPath = 'governance/approve.md';

/**
 * Signs (or takes a signature of) the release's approval message, checks it as the gate will,
 * and records it with a log entry. Refuses unregistered keys, signatures that do not verify for
 * this digest and target, the author, and a second approval by the same approver.
 */
export async function recordApproval(
  store: StoreClient,
  parameters: RecordApprovalParameters,
): Promise<RecordApprovalReturnType> {
  const message = approvalMessage(parameters.digest, parameters.target);
  const approver = pickApprover(parameters);
  if (isAuthor(parameters.author, approver))
    throw new ApprovalError(`${approver.name} is the author of this release and cannot approve it.`, {
      metaMessages: ['Fix: ask another registered approver; four eyes means someone other than the author.'],
      docsPath: `${docsPath}#rules`,
    });
  const signature = parameters.key ? signApprovalMessage(parameters.key, message) : parameters.signature.trim();
  const checked = verifyApprovalSignature(approver.key, message, signature);
  if (!checked.valid)
    throw new ApprovalError(
      `The signature is not ${approver.name}'s approval of release ${parameters.digest} for ${parameters.target}: ${checked.reason}.`,
      {
        metaMessages: [
          `A signature made for another release or target, or by another key, does not count. Sign exactly: ${message}`,
        ],
        docsPath: `${docsPath}#rules`,
      },
    );
  const existing = await listApprovals(store, { releaseDigest: parameters.digest });
  if (existing.some((a) => findApprover(parameters.approvers, a.approverKeyId)?.name === approver.name))
    throw new ApprovalError(`${approver.name} has already approved release ${parameters.digest}.`, {
      metaMessages: ['Each approver counts once; `bulwark approve list` shows the approvals.'],
      docsPath: `${docsPath}#rules`,
    });

  const signedAt = parameters.signedAt ?? new Date();
  const { result: approval } = await withLogEntry(
    store,
    (tx) =>
      insertApproval(tx, {
        releaseDigest: parameters.digest,
        approverKeyId: approver.key.keyId,
        algorithm: approver.key.algorithm,
        signature,
        signedAt,
      }),
    (recorded) => ({
      actor: approver.key.keyId,
      action: 'gate.approve',
      at: signedAt,
      payload: {
        approver: approver.name,
        keyId: recorded.approverKeyId,
        algorithm: recorded.algorithm,
        releaseDigest: recorded.releaseDigest,
        target: parameters.target,
        signature: recorded.signature,
      },
    }),
  );
  return { approval, approver, message };
}

function pickApprover(parameters: RecordApprovalParameters): Approver {
  const registered = parameters.approvers.map((a) => a.name).join(', ') || 'none';
  const byName = parameters.approverName
    ? parameters.approvers.find((a) => a.name === parameters.approverName)
    : undefined;
  if (parameters.approverName && !byName)
    throw new ApprovalError(`${parameters.approverName} is not a registered approver.`, {
      metaMessages: [`Registered approvers: ${registered}. Fix: add them to gate.approvers in the manifest.`],
      docsPath: `${docsPath}#approvers`,
    });
  if (!parameters.key) {
    if (!byName)
      throw new ApprovalError('A signature made elsewhere needs --approver NAME to say whose it is.', { docsPath });
    return byName;
  }
  const byKey = findApprover(parameters.approvers, parameters.key.keyId);
  if (!byKey || byKey.key.algorithm !== parameters.key.algorithm)
    throw new ApprovalError(
      `The ${parameters.key.algorithm} key ${parameters.key.keyId} is not a registered approver.`,
      {
        metaMessages: [
          `Registered approvers: ${registered}.`,
          'Fix: add the key to gate.approvers in the manifest (`bulwark approve pubkey` prints it), or use your registered key.',
        ],
        docsPath: `${docsPath}#approvers`,
      },
    );
  if (byName && byName !== byKey)
    throw new ApprovalError(`The key is ${byKey.name}'s, not ${byName.name}'s.`, {
      metaMessages: ['Fix: sign with your own key, or drop --approver.'],
      docsPath: `${docsPath}#approvers`,
    });
  return byKey;
}
