import type { CallFrame, Tx } from '@bulwark/chain';
import type { Hex } from 'viem';
import type { ContractProfile, PrivilegeHistory } from '../baseline/types.ts';
import { eventTopics } from '../events/normalize.ts';
import type { PrivilegeMap } from './types.ts';

/** Accounts kept per selector; a selector called by more is public. */
export const maxSelectorCallers = 16;
/** Accounts kept as known administrators of one contract. */
const maxAdmins = 256;

const standardTopics: ReadonlySet<string> = new Set(
  Object.values(eventTopics).filter((topic) => topic !== eventTopics.Transfer),
);

export const emptyPrivilegeHistory = (): PrivilegeHistory => ({ callers: {}, crowded: [], admins: {} });

/**
 * The successful calls into `address` in a transaction, as (selector, direct caller): from its
 * trace, or its own call without one. A light walk, not the normaliser: it runs for every learned
 * transaction.
 */
export function callsInto(tx: Tx, address: string): { selector: string; caller: string }[] {
  if (tx.receipt.status !== 'success') return [];
  const selectorOf = (input: string) => (input.length >= 10 ? input.slice(0, 10).toLowerCase() : '0x');
  if (!tx.trace) {
    return tx.to?.toLowerCase() === address ? [{ selector: selectorOf(tx.input), caller: tx.from.toLowerCase() }] : [];
  }
  const found: { selector: string; caller: string }[] = [];
  const visit = (frame: CallFrame) => {
    // A failed frame was undone with everything below it.
    if (frame.error !== undefined) return;
    if (frame.to?.toLowerCase() === address && !entersNothing.has(frame.type)) {
      found.push({ selector: selectorOf(frame.input), caller: frame.from.toLowerCase() });
    }
    for (const call of frame.calls) visit(call);
  };
  visit(tx.trace);
  return found;
}

const entersNothing = new Set(['CREATE', 'CREATE2', 'SELFDESTRUCT']);

/**
 * Learns who called what on a watched contract in one (clean) transaction: the direct callers of
 * each selector, and as administrators the accounts behind a call to a privileged function or a
 * control event. Called where the engine learns a transaction, so an attack is never learned.
 */
export function learnPrivilege(profile: ContractProfile, map: PrivilegeMap, tx: Tx): void {
  const address = profile.address.toLowerCase();
  profile.privilege ??= emptyPrivilegeHistory();
  const history = profile.privilege;
  const sender = tx.from.toLowerCase();
  const admin = (account: string) => {
    if (account in history.admins) history.admins[account]!++;
    else if (Object.keys(history.admins).length < maxAdmins) history.admins[account] = 1;
  };
  const admins = new Set<string>();
  for (const { selector, caller } of callsInto(tx, address)) {
    if (!history.crowded.includes(selector)) {
      history.callers[selector] ??= {};
      const callers = history.callers[selector];
      if (caller in callers) callers[caller]!++;
      else if (Object.keys(callers).length < maxSelectorCallers) callers[caller] = 1;
      else history.crowded.push(selector);
    }
    if (map.functions.has(selector as Hex) && !map.notPrivileged.has(selector as Hex)) {
      admins.add(caller);
      admins.add(sender);
    }
  }
  const controls = tx.receipt.logs.some(
    (log) =>
      log.address.toLowerCase() === address &&
      (map.events.has(log.topics[0] as Hex) || standardTopics.has(log.topics[0] ?? '')),
  );
  if (controls) admins.add(sender);
  for (const account of admins) admin(account);
}
