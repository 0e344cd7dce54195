import type { GateCheck } from '../gate/gateCheck.ts';
import type { ExceptionStatus } from './exceptionState.ts';

/** An exception as a gate check or control shows it. */
export type AppliedException = {
  id: string;
  state: ExceptionStatus['state'];
  reason: string;
  compensating: string;
  expiresOn: string;
  approvedBy: string[];
};

export const appliedException = (e: ExceptionStatus): AppliedException => ({
  id: e.id,
  state: e.state,
  reason: e.reason,
  compensating: e.compensating,
  expiresOn: e.expiresOn,
  approvedBy: e.approvals.map((a) => a.approver),
});

/** The exceptions that name this check, or one of the controls it evidences; accepted ones first. */
export function exceptionsFor(check: Pick<GateCheck, 'id' | 'controls'>, exceptions: ExceptionStatus[]) {
  const order = { accepted: 0, requested: 1, expired: 2 };
  return exceptions
    .filter(
      (e) =>
        (e.targetKind === 'check' && e.target === check.id) ||
        (e.targetKind === 'control' && check.controls.includes(e.target)),
    )
    .sort((a, b) => order[a.state] - order[b.state]);
}

/**
 * A failing check covered by an accepted exception becomes a warning that names it (the release
 * may go out, and the record says why); an expired or unapproved exception leaves the check
 * failing, and the reason says so.
 */
export function applyExceptions(checks: GateCheck[], exceptions: ExceptionStatus[]): GateCheck[] {
  return checks.map((c) => {
    if (c.status !== 'fail') return c;
    const [first] = exceptionsFor(c, exceptions);
    if (!first) return c;
    const exception = appliedException(first);
    if (first.state === 'accepted')
      return {
        ...c,
        status: 'warn',
        reason: `Accepted by exception ${first.id} until ${first.expiresOn} (approved by ${exception.approvedBy.join(', ')}; compensating: ${first.compensating}): ${c.reason}`,
        exception,
      };
    const why =
      first.state === 'expired'
        ? `exception ${first.id} expired on ${first.expiresOn}`
        : `exception ${first.id} awaits ${first.approvalsMissing} more approval(s)`;
    return { ...c, reason: `${c.reason} (${why}.)`, exception };
  });
}
