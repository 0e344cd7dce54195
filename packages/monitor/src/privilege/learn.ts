import type { CallFrame, Log, Tx } from '@bulwark/chain';
import type { Hex } from 'viem';
import type { ContractProfile, PrivilegeHistory } from '../baseline/types.ts';
import { adminChangeTarget, decodeAdminLog, eventTopics } from '../events/normalize.ts';
import { decodeLog } from './inspect.ts';
import type { ControlEvent, PrivilegeMap } from './types.ts';

const zeroAddress = '0x0000000000000000000000000000000000000000';

/** The accounts a control event gives power to (none for a revocation, a first step or new code). */
function holdersNamed(log: Log, known: ControlEvent | undefined): string[] {
  if (known) {
    if (known.revokes || known.pending || known.kind === 'upgrade') return [];
    const args = decodeLog(known, log);
    return args ? known.targets.map((i) => String(args[i]).toLowerCase()).filter((a) => a !== zeroAddress) : [];
  }
  const change = decodeAdminLog(log);
  const holds =
    change?.name === 'OwnershipTransferred' ||
    change?.name === 'RoleGranted' ||
    change?.name === 'AdminChanged' ||
    change?.name === 'GuardianChanged';
  const target = change && holds ? adminChangeTarget(change) : undefined;
  return target && target !== zeroAddress ? [target.toLowerCase()] : [];
}

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
 * control event, and the holders such an event names (the owner set at deployment, a new operator). Called where the engine learns a transaction, so an attack is never learned.
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
  for (const log of tx.receipt.logs) {
    if (log.address.toLowerCase() !== address) continue;
    const topic = (log.topics[0] ?? '0x').toLowerCase() as Hex;
    const known = map.events.get(topic);
    if (!known && !standardTopics.has(topic)) continue;
    // The sender made a change of control, and the holder it named now holds power.
    admins.add(sender);
    for (const holder of holdersNamed(log, known)) admins.add(holder);
  }
  for (const account of admins) admin(account);
}
