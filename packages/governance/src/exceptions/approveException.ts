import { getException, insertExceptionApproval, type LogEntry, type StoreClient } from '@bulwark/store';
import { requireRole } from '../identity/requireRole.ts';
import { withLogEntry } from '../log/withLogEntry.ts';
import { today } from '../risks/reviewDate.ts';
import { ExceptionInputError } from './errors.ts';
import { type ExceptionStatus, exceptionStatus } from './exceptionState.ts';

export type ApproveExceptionParameters = {
  id: string;
  approver: string;
  /** Who may approve (the manifest's gate approvers); empty: anyone but the requester. */
  approvers?: readonly string[] | undefined;
  now?: Date | undefined;
};

const docsPath = 'governance/exceptions.md#approvals';

/**
 * Adds an approval to an exception: never the requester's own, never after it expired, and (once
 * identities are registered) only by someone holding the role accept-exceptions.
 */
export async function approveException(
  store: StoreClient,
  parameters: ApproveExceptionParameters,
): Promise<{ exception: ExceptionStatus; entry: LogEntry }> {
  const on = today(parameters.now ?? new Date());
  const current = exceptionStatus(await getException(store, parameters.id.trim().toUpperCase()), on);
  if (current.requestedBy === parameters.approver)
    throw new ExceptionInputError(`${parameters.approver} requested ${current.id} and cannot approve it.`, {
      metaMessages: ['Four eyes: another approver must accept the risk.'],
      docsPath,
    });
  if (parameters.approvers && parameters.approvers.length > 0 && !parameters.approvers.includes(parameters.approver))
    throw new ExceptionInputError(`${parameters.approver} is not an approver of this project.`, {
      metaMessages: [`Approvers (the manifest's gate.approvers): ${parameters.approvers.join(', ')}.`],
      docsPath,
    });
  await requireRole(store, parameters.approver, 'accept-exceptions');
  if (current.state === 'expired')
    throw new ExceptionInputError(`${current.id} expired on ${current.expiresOn} and can no longer be approved.`, {
      metaMessages: ['Request a new exception if the reason still holds.'],
      docsPath,
    });
  const { result, entry } = await withLogEntry(
    store,
    (tx) => insertExceptionApproval(tx, { exceptionId: current.id, approver: parameters.approver }),
    (exception) => ({
      actor: parameters.approver,
      action: 'exception.approve',
      payload: {
        id: exception.id,
        target: exception.target,
        approvals: exception.approvals.length,
        requiredApprovals: exception.requiredApprovals,
        accepted: exception.acceptedAt !== null,
      },
    }),
  );
  return { exception: exceptionStatus(result, on), entry };
}
