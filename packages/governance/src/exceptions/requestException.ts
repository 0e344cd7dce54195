import { insertException, type LogEntry, type StoreClient } from '@bulwark/store';
import { gateCheckIds } from '../gate/gateCheck.ts';
import { withLogEntry } from '../log/withLogEntry.ts';
import { checkControlIds } from '../risks/checkControlIds.ts';
import { parseReviewDate, today } from '../risks/reviewDate.ts';
import { ExceptionInputError } from './errors.ts';
import { type ExceptionStatus, exceptionStatus } from './exceptionState.ts';

export type RequestExceptionParameters = {
  /** A gate check id (`pausable`); exactly one of `check` and `control`. */
  check?: string | undefined;
  /** An advisory control id (`SBD-06`). */
  control?: string | undefined;
  reason: string;
  /** What limits the risk while the exception stands (monitoring, a cap, an insurance). */
  compensating: string;
  /** 'YYYY-MM-DD' or `+90d`; must be today or later. */
  expires: string;
  /** Approvals needed; fixed at request time (the manifest's gate.exceptionApprovals). */
  requiredApprovals: number;
  actor: string;
  now?: Date | undefined;
};

const docsPath = 'governance/exceptions.md#requesting';

/** Records a request for an exception; it counts only once its quorum (never the requester) approves. */
export async function requestException(
  store: StoreClient,
  parameters: RequestExceptionParameters,
): Promise<{ exception: ExceptionStatus; entry: LogEntry }> {
  const now = parameters.now ?? new Date();
  if ((parameters.check === undefined) === (parameters.control === undefined))
    throw new ExceptionInputError('An exception is for one gate check or one control: give --check or --control.', {
      metaMessages: [
        `Gate checks: ${gateCheckIds.join(', ')}. Controls: GOV-01, SBD-06… (see the advisory catalogue).`,
      ],
      docsPath,
    });
  let target: string;
  if (parameters.check !== undefined) {
    target = parameters.check.trim();
    if (!(gateCheckIds as readonly string[]).includes(target))
      throw new ExceptionInputError(`"${target}" is not a gate check.`, {
        metaMessages: [`Use one of: ${gateCheckIds.join(', ')}.`],
        docsPath,
      });
  } else target = checkControlIds([parameters.control!])[0]!;
  const reason = parameters.reason.trim();
  const compensating = parameters.compensating.trim();
  if (!reason || !compensating)
    throw new ExceptionInputError('An exception needs a reason and a compensating control.', {
      metaMessages: ['Say why the check or control cannot be met, and what limits the risk meanwhile.'],
      docsPath,
    });
  let expiresOn: string;
  try {
    expiresOn = parseReviewDate(parameters.expires, now);
  } catch {
    throw new ExceptionInputError(`The expiry "${parameters.expires}" is not a day written YYYY-MM-DD.`, {
      metaMessages: ['Write it like 2027-03-31, or +90d for ninety days from today.'],
      docsPath,
    });
  }
  if (expiresOn < today(now))
    throw new ExceptionInputError(`The expiry ${expiresOn} is in the past.`, {
      metaMessages: ['An exception is for a limited time from now: give a day from today on.'],
      docsPath,
    });
  const { result, entry } = await withLogEntry(
    store,
    (tx) =>
      insertException(tx, {
        targetKind: parameters.check !== undefined ? 'check' : 'control',
        target,
        reason,
        compensating,
        expiresOn,
        requiredApprovals: parameters.requiredApprovals,
        requestedBy: parameters.actor,
      }),
    (exception) => ({
      actor: parameters.actor,
      action: 'exception.request',
      payload: {
        id: exception.id,
        targetKind: exception.targetKind,
        target: exception.target,
        reason,
        compensating,
        expiresOn,
        requiredApprovals: exception.requiredApprovals,
      },
    }),
  );
  return { exception: exceptionStatus(result, today(now)), entry };
}
