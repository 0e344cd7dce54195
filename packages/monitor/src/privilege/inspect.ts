import type { Log } from '@bulwark/chain';
import { type AbiParameter, decodeAbiParameters, decodeFunctionData, type Hex } from 'viem';
import { adminChangeTarget } from '../events/normalize.ts';
import type { AdminChange, CallEvent } from '../events/types.ts';
import type { RuleContext, WatchedView } from '../rules/types.ts';
import { standardPrivilege } from './classify.ts';
import type { ControlChange, ControlEvent, PrivilegedFunction, PrivilegeMap } from './types.ts';

/*
 * What the rules ask about privilege on a watched contract: the classification (ABI, config,
 * well-known list) corrected by its learned history (`profile.privilege`).
 */

/** More distinct callers than this and a function is public, whatever its name says. */
export const publicCallers = 8;

const zeroAddress = '0x0000000000000000000000000000000000000000';
const defaultAdminRole = `0x${'00'.repeat(32)}`;

export const privilegeOf = (view: WatchedView): PrivilegeMap => view.privilege ?? standardPrivilege();

/** Distinct accounts seen calling a selector successfully (more than kept: Infinity). */
function distinctCallers(view: WatchedView, selector: string): number {
  const history = view.profile?.privilege;
  if (!history) return 0;
  if (history.crowded.includes(selector)) return Number.POSITIVE_INFINITY;
  return Object.keys(history.callers[selector] ?? {}).length;
}

/**
 * The privileged function `selector` calls, or undefined when it is public: classified by the
 * ABI or the well-known list (unless more than `publicCallers` accounts were seen calling it, or
 * the config says not privileged), declared in the config, or learned: a function with at least
 * two calls, all by known administrators (at most three of them).
 */
export function privilegedFunction(view: WatchedView, selector: string | undefined): PrivilegedFunction | undefined {
  if (!selector || selector === '0x') return undefined;
  const map = privilegeOf(view);
  if (map.notPrivileged.has(selector as Hex)) return undefined;
  const classified = map.functions.get(selector as Hex);
  if (classified) {
    return classified.source === 'config' || distinctCallers(view, selector) <= publicCallers ? classified : undefined;
  }
  const callers = Object.entries(view.profile?.privilege?.callers[selector] ?? {});
  const calls = callers.reduce((sum, [, count]) => sum + count, 0);
  if (calls < 2 || callers.length > 3 || distinctCallers(view, selector) > 3) return undefined;
  if (!callers.every(([account]) => administered(view, account))) return undefined;
  return {
    selector: selector as Hex,
    signature: selector,
    kind: 'operation',
    targets: [],
    role: undefined,
    accepts: false,
    revokes: false,
    source: 'history',
    item: { type: 'function', name: selector, inputs: [], outputs: [], stateMutability: 'nonpayable' },
  };
}

/** Seen administering the contract while learning (a privileged call or an admin event), or trusted. */
function administered(view: WatchedView, account: string): boolean {
  return (
    view.trustedAdmins.has(account) ||
    (view.profile?.adminActors[account] ?? 0) > 0 ||
    (view.profile?.privilege?.admins[account] ?? 0) > 0
  );
}

/**
 * A known administrator: a trusted admin (config), an account seen calling a privileged function
 * or making an admin change while learning, or the contract's deployer when it was created within
 * the recent-creation window.
 */
export function isKnownAdmin(context: RuleContext, view: WatchedView, account: string): boolean {
  if (administered(view, account)) return true;
  const creation = context.recentCreation(view.address);
  return creation !== undefined && (creation.txFrom === account || creation.creator === account);
}

/** Whether `account` called `selector` successfully while learning. */
export const calledBefore = (view: WatchedView, selector: string, account: string): boolean =>
  (view.profile?.privilege?.callers[selector]?.[account] ?? 0) > 0;

/** Whether the contract knows `account` at all: a caller, an admin, a privileged caller, a trusted admin. */
export function seenBy(view: WatchedView, account: string): boolean {
  const profile = view.profile;
  if (administered(view, account) || (profile?.callers[account] ?? 0) > 0) return true;
  const callers = profile?.privilege?.callers ?? {};
  return Object.values(callers).some((accounts) => (accounts[account] ?? 0) > 0);
}

/**
 * The watched contracts this transaction called or that emitted logs in it, except those created
 * in it (their constructor's changes are their setup, not a change of control).
 */
export function touchedContracts(context: RuleContext): WatchedView[] {
  const constructed = new Set<string>();
  const touched = new Set<string>();
  for (const event of context.events) {
    if (event.type === 'creation') constructed.add(event.address);
    else if (event.type === 'call' || event.type === 'admin') touched.add(event.contract);
  }
  for (const log of context.tx.receipt.logs) touched.add(log.address.toLowerCase());
  return [...touched].flatMap((address) => {
    const view = context.watched.get(address);
    return view && !constructed.has(address) ? [view] : [];
  });
}

/** The successful calls into the watched contract in this transaction. */
export const callsOf = (context: RuleContext, address: string): CallEvent[] =>
  context.events.filter(
    (event): event is CallEvent => event.type === 'call' && event.contract === address && event.success,
  );

/**
 * The changes of control of a watched contract in this transaction: its standard admin events
 * (ownership, roles, upgrades, admin and guardian transfers), its ABI's control events, and, when
 * it emitted neither, its successful calls to control or upgrade functions, decoded from calldata
 * (unless `fromCalls` is false).
 */
export function controlChanges(
  context: RuleContext,
  view: WatchedView,
  options: { fromCalls?: boolean } = {},
): ControlChange[] {
  const address = view.address;
  const map = privilegeOf(view);
  const calls = callsOf(context, address);
  const accepted = calls.some((call) => privilegedFunction(view, call.selector)?.accepts === true);
  const changes: ControlChange[] = [];
  // A contract that reported its changes (even one that moved nothing) is not read from calldata.
  let reported = false;
  for (const event of context.events) {
    if (event.type !== 'admin' || event.contract !== address) continue;
    const change = standardChange(event.change, address, event.logIndex, accepted);
    reported ||= change !== undefined;
    if (change && !noOp(change)) changes.push(change);
  }
  for (const log of context.tx.receipt.logs) {
    if (log.address.toLowerCase() !== address) continue;
    const known = map.events.get((log.topics[0] ?? '0x').toLowerCase() as Hex);
    const args = known && decodeLog(known, log);
    if (!known || !args) continue;
    const change = eventChange(known, args, address, log.logIndex, accepted);
    reported = true;
    if (!noOp(change)) changes.push(change);
  }
  if (reported || options.fromCalls === false) return changes;
  for (const call of calls) {
    const privileged = privilegedFunction(view, call.selector);
    if (!privileged || (privileged.kind !== 'control' && privileged.kind !== 'upgrade')) continue;
    const change = callChange(privileged, call, address);
    if (change) changes.push(change);
  }
  return changes;
}

/** A holder set again to itself: nothing moved. */
const noOp = (change: ControlChange) =>
  change.targets.length === 0 && !change.revokes && change.previous !== undefined && change.role === undefined;

/** How much power a standard admin change moves: upgrades and ownership first, roles after. */
export function standardWeight(change: AdminChange): number {
  switch (change.name) {
    case 'Upgraded':
    case 'BeaconUpgraded':
      return 0.4;
    case 'OwnershipTransferred':
      return change.newOwner === zeroAddress ? 0.15 : 0.35;
    case 'AdminChanged':
      return 0.35;
    case 'GuardianChanged':
      return 0.3;
    case 'OwnershipTransferStarted':
    case 'AdminTransferStarted':
      return 0.25;
    case 'RoleAdminChanged':
      return 0.25;
    case 'RoleGranted':
      return change.role === defaultAdminRole ? 0.3 : 0.2;
    case 'RoleRevoked':
      return change.role === defaultAdminRole ? 0.25 : 0.15;
    default:
      return 0;
  }
}

function standardChange(
  change: AdminChange,
  contract: string,
  logIndex: number,
  accepted: boolean,
): ControlChange | undefined {
  const weight = standardWeight(change);
  if (weight === 0) return undefined;
  const target = adminChangeTarget(change);
  const revokes =
    change.name === 'RoleRevoked' || (change.name === 'OwnershipTransferred' && change.newOwner === zeroAddress);
  const previous =
    change.name === 'OwnershipTransferred' || change.name === 'OwnershipTransferStarted'
      ? change.previousOwner
      : change.name === 'AdminChanged' || change.name === 'AdminTransferStarted'
        ? change.previousAdmin
        : change.name === 'GuardianChanged'
          ? change.previousGuardian
          : undefined;
  return {
    contract,
    name: change.name,
    source: 'standard-event',
    kind: change.name === 'Upgraded' || change.name === 'BeaconUpgraded' ? 'upgrade' : 'control',
    targets: target && !revokes && target !== zeroAddress && target !== previous ? [target] : [],
    previous,
    role: change.name === 'RoleGranted' || change.name === 'RoleRevoked' ? change.role : undefined,
    revokes,
    pending: change.name === 'OwnershipTransferStarted' || change.name === 'AdminTransferStarted',
    accepted,
    weight,
    logIndex,
    standard: change,
  };
}

function eventChange(
  known: ControlEvent,
  args: unknown[],
  contract: string,
  logIndex: number,
  accepted: boolean,
): ControlChange {
  // The previous holder: the first other address argument, unless it names who acted (`sender`).
  const other = known.item.inputs.findIndex(
    (input, i) =>
      input.type === 'address' && !known.targets.includes(i) && !/sender|caller|by$/i.test(input.name ?? ''),
  );
  const previous = other < 0 ? undefined : String(args[other]).toLowerCase();
  const targets = known.targets
    .map((i) => String(args[i]).toLowerCase())
    .filter((a) => a !== zeroAddress && a !== previous);
  return {
    contract,
    name: known.item.name,
    source: 'event',
    kind: known.kind,
    targets,
    previous: known.targets.length > 0 && previous !== zeroAddress ? previous : undefined,
    role: known.role === undefined ? undefined : (args[known.role] as Hex),
    revokes: known.revokes,
    pending: known.pending,
    accepted,
    weight: known.weight,
    logIndex,
  };
}

function callChange(privileged: PrivilegedFunction, call: CallEvent, contract: string): ControlChange | undefined {
  let args: readonly unknown[] = [];
  if (privileged.item.inputs.length > 0) {
    try {
      args = decodeFunctionData({ abi: [privileged.item], data: call.input }).args ?? [];
    } catch {
      return undefined;
    }
  }
  const targets = privileged.accepts
    ? [call.caller.toLowerCase()]
    : privileged.targets.map((i) => String(args[i]).toLowerCase()).filter((a) => a !== zeroAddress);
  return {
    contract,
    name: privileged.item.name,
    source: 'call',
    kind: privileged.kind === 'upgrade' ? 'upgrade' : 'control',
    targets: privileged.revokes ? [] : targets,
    previous: undefined,
    role: privileged.role === undefined ? undefined : (args[privileged.role] as Hex),
    revokes: privileged.revokes,
    pending: false,
    accepted: privileged.accepts,
    weight: privileged.kind === 'upgrade' ? 0.4 : privileged.revokes ? 0.15 : 0.3,
    logIndex: undefined,
  };
}

/**
 * An event's arguments in ABI order. An event of the well-known list may be indexed or not (both
 * layouts exist), so for those the all-indexed and no-indexed layouts are tried too.
 */
export function decodeLog(known: ControlEvent, log: Pick<Log, 'topics' | 'data'>): unknown[] | undefined {
  const layouts: readonly (readonly AbiParameter[])[] =
    known.source === 'abi' || known.source === 'config'
      ? [known.item.inputs]
      : [
          known.item.inputs.map((input) => ({ ...input, indexed: true })),
          known.item.inputs.map((input) => ({ ...input, indexed: false })),
        ];
  for (const inputs of layouts) {
    const indexed = inputs.filter((input) => (input as { indexed?: boolean }).indexed);
    if (log.topics.length !== indexed.length + 1) continue;
    const plain = inputs.filter((input) => !(input as { indexed?: boolean }).indexed);
    let data: readonly unknown[];
    try {
      data = decodeAbiParameters(plain, log.data);
    } catch {
      continue;
    }
    let topic = 1;
    let word = 0;
    return inputs.map((input) => {
      if (!(input as { indexed?: boolean }).indexed) {
        const value = data[word++];
        return typeof value === 'string' ? value.toLowerCase() : value;
      }
      const raw = log.topics[topic++]!;
      return input.type === 'address' ? `0x${raw.slice(26)}`.toLowerCase() : raw;
    });
  }
  return undefined;
}
