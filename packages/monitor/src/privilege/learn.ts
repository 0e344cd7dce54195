import type { Tx } from '@bulwark/chain';
import type { Hex } from 'viem';
import type { ContractProfile, PrivilegeHistory } from '../baseline/types.ts';
import { eventTopics, normalizeBlock } from '../events/normalize.ts';
import type { CallEvent } from '../events/types.ts';
import type { PrivilegeMap } from './types.ts';

/** Accounts kept per selector; a selector called by more is public. */
export const maxSelectorCallers = 16;
/** Accounts kept as known administrators of one contract. */
const maxAdmins = 256;

const standardTopics: ReadonlySet<string> = new Set(
  Object.values(eventTopics).filter((topic) => topic !== eventTopics.Transfer),
);

export const emptyPrivilegeHistory = (): PrivilegeHistory => ({ callers: {}, crowded: [], admins: {} });

/** The successful calls into `address` in a transaction (its trace, or its own call without one). */
export function callsInto(tx: Tx, address: string): CallEvent[] {
  const events = normalizeBlock(
    {
      number: tx.blockNumber,
      hash: tx.blockHash,
      parentHash: tx.blockHash,
      chainId: 0,
      timestamp: 0n,
      miner: '0x0000000000000000000000000000000000000000',
      gasUsed: 0n,
      gasLimit: 0n,
      baseFeePerGas: undefined,
      transactions: [tx],
      logs: tx.receipt.logs,
      traced: tx.trace !== undefined,
    },
    { watched: new Set([address]) },
  );
  return events.filter((event): event is CallEvent => event.type === 'call' && event.success);
}

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
  for (const call of callsInto(tx, address)) {
    const selector = call.selector ?? '0x';
    const caller = call.caller.toLowerCase();
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
