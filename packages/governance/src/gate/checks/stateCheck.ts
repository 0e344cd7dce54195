import { type StoreClient, verifyBoundRows, verifyLog } from '@bulwark/store';
import { check, type GateCheck, listNames } from '../gateCheck.ts';

/** The log head and the state digest the gate decided on (see verifyBoundRows). */
export type VerifiedState = { head: { seq: number; hash: string } | undefined; stateDigest: string };

export type StateCheckReturnType = { check: GateCheck; verified: VerifiedState | undefined };

/**
 * The log must verify, and every governance row must match the log, before the gate decides
 * anything from them: a finding marked fixed by a direct SQL edit would otherwise pass the gate.
 */
export async function stateCheck(store: StoreClient): Promise<StateCheckReturnType> {
  const log = await verifyLog(store);
  if (!log.ok)
    return {
      check: check(
        'state',
        'fail',
        `The log does not verify: BROKEN at entry ${log.seq} (${log.reason}). ${log.message}`,
        {
          seq: log.seq,
          reason: log.reason,
        },
      ),
      verified: undefined,
    };
  const rows = await verifyBoundRows(store);
  if (!rows.ok)
    return {
      check: check(
        'state',
        'fail',
        `${rows.problems.length} governance row(s) changed outside Bulwark: ${listNames(
          rows.problems.map((p) => p.message),
          3,
        )} Restore them, or redo the change through bulwark, before the gate can decide.`,
        { problems: rows.problems },
      ),
      verified: undefined,
    };
  const head = log.head;
  return {
    check: check(
      'state',
      'pass',
      `Log intact to entry ${head?.seq ?? 0}; ${rows.rows} governance row(s) match it (state ${rows.stateDigest.slice(0, 16)}…).`,
    ),
    verified: { head, stateDigest: rows.stateDigest },
  };
}
