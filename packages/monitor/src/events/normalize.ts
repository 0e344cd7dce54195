import type { Block, CallFrame, Log, Tx } from '@bulwark/chain';
import { type Address, type Hex, toEventSelector } from 'viem';
import type { AdminChange, AdminEvent, EventContext, MonitorEvent, ReentrancyEvent, ValueFlowEvent } from './types.ts';

export type NormalizeBlockParameters = {
  /** The watched contracts, lower-case hex. */
  watched: ReadonlySet<string>;
};

/** topic0 of the events the normaliser decodes. */
export const eventTopics = {
  Transfer: toEventSelector('Transfer(address,address,uint256)'),
  OwnershipTransferred: toEventSelector('OwnershipTransferred(address,address)'),
  OwnershipTransferStarted: toEventSelector('OwnershipTransferStarted(address,address)'),
  RoleGranted: toEventSelector('RoleGranted(bytes32,address,address)'),
  RoleRevoked: toEventSelector('RoleRevoked(bytes32,address,address)'),
  RoleAdminChanged: toEventSelector('RoleAdminChanged(bytes32,bytes32,bytes32)'),
  Upgraded: toEventSelector('Upgraded(address)'),
  BeaconUpgraded: toEventSelector('BeaconUpgraded(address)'),
  AdminChanged: toEventSelector('AdminChanged(address,address)'),
  AdminTransferStarted: toEventSelector('AdminTransferStarted(address,address)'),
  GuardianChanged: toEventSelector('GuardianChanged(address,address)'),
  Paused: toEventSelector('Paused(address)'),
  Unpaused: toEventSelector('Unpaused(address)'),
  UnpauseRequested: toEventSelector('UnpauseRequested(uint256)'),
  UnpauseCancelled: toEventSelector('UnpauseCancelled(address)'),
} as const;

type AdminDecoder = (log: Log) => AdminChange | undefined;

const movesValue = new Set(['CALL', 'CREATE', 'CREATE2', 'SELFDESTRUCT']);

/**
 * Normalises one block into monitor events, per transaction in block order: first what its trace
 * shows (calls into watched contracts, native value flows, creations, re-entries, depth-first),
 * then what its logs show (ERC-20 transfers, admin events). Pure and synchronous.
 */
export function normalizeBlock(block: Block, parameters: NormalizeBlockParameters): MonitorEvent[] {
  const { watched } = parameters;
  const events: MonitorEvent[] = [];
  for (const tx of block.transactions) {
    const context: EventContext = {
      chainId: block.chainId,
      blockNumber: block.number,
      blockHash: block.hash,
      timestamp: block.timestamp,
      txHash: tx.hash,
      txIndex: tx.index,
      txFrom: tx.from,
      txSuccess: tx.receipt.status === 'success',
    };
    if (tx.trace) walkTrace(tx.trace, context, watched, events);
    else fromTransaction(tx, context, watched, events);
    for (const log of tx.receipt.logs) fromLog(log, context, watched, events);
  }
  return events;
}

/** Without a trace: the transaction's own call, value and creation. */
function fromTransaction(tx: Tx, context: EventContext, watched: ReadonlySet<string>, events: MonitorEvent[]): void {
  const success = context.txSuccess;
  if (tx.to === null) {
    const address = tx.receipt.contractAddress;
    if (success && address) {
      events.push({
        ...context,
        type: 'creation',
        address,
        creator: tx.from,
        createType: 'CREATE',
        depth: 0,
        frameIndex: 0,
        value: tx.value,
        source: 'tx',
      });
      pushNativeFlow(context, watched, events, tx.from, address, tx.value, 'tx', undefined, undefined);
    }
    return;
  }
  if (watched.has(tx.to)) {
    events.push({
      ...context,
      type: 'call',
      contract: tx.to,
      caller: tx.from,
      depth: 0,
      frameIndex: 0,
      callType: 'CALL',
      selector: selectorOf(tx.input),
      input: tx.input,
      value: tx.value,
      delegatecall: false,
      success,
      error: undefined,
      source: 'tx',
    });
  }
  if (success) pushNativeFlow(context, watched, events, tx.from, tx.to, tx.value, 'tx', undefined, undefined);
}

type OpenFrame = { target: Address; storage: Address };

function walkTrace(root: CallFrame, context: EventContext, watched: ReadonlySet<string>, events: MonitorEvent[]): void {
  const open: OpenFrame[] = [];
  let frameIndex = 0;
  const visit = (frame: CallFrame, depth: number, parentOk: boolean, parentStorage: Address | undefined): void => {
    const index = frameIndex++;
    const ok = parentOk && frame.error === undefined;
    const type = frame.type;
    const to = frame.to;
    const delegatecall = type === 'DELEGATECALL' || type === 'CALLCODE';
    // Whose storage the frame runs in: the caller's for DELEGATECALL/CALLCODE.
    const storage = (delegatecall ? (parentStorage ?? frame.from) : to) as Address | undefined;

    if (type === 'CREATE' || type === 'CREATE2') {
      if (ok && to) {
        events.push({
          ...context,
          type: 'creation',
          address: to,
          creator: frame.from,
          createType: type as 'CREATE' | 'CREATE2',
          depth,
          frameIndex: index,
          value: frame.value,
          source: 'trace',
        });
      }
    } else if (to && type !== 'SELFDESTRUCT' && watched.has(to)) {
      events.push({
        ...context,
        type: 'call',
        contract: to,
        caller: frame.from,
        depth,
        frameIndex: index,
        callType: type,
        selector: selectorOf(frame.input),
        input: frame.input,
        value: frame.value,
        delegatecall,
        success: ok,
        error: frame.error,
        source: 'trace',
      });
    }

    if (ok && to && frame.value > 0n && movesValue.has(type)) {
      pushNativeFlow(context, watched, events, frame.from, to, frame.value, 'trace', depth, index);
    }

    if (storage && watched.has(storage) && type !== 'SELFDESTRUCT') {
      const reentry = detectReentry(open, storage);
      if (reentry !== undefined) {
        const event: ReentrancyEvent = {
          ...context,
          type: 'reentrancy',
          contract: storage,
          firstDepth: reentry.firstDepth,
          depth,
          frameIndex: index,
          nesting: reentry.nesting,
          path: [...open.map((o) => o.target), (to ?? storage) as Address],
          reenteredBy: frame.from,
          selector: selectorOf(frame.input),
          callType: type,
          success: ok,
        };
        events.push(event);
      }
    }

    if (frame.calls.length > 0) {
      open.push({ target: (to ?? frame.from) as Address, storage: (storage ?? frame.from) as Address });
      for (const call of frame.calls) visit(call, depth + 1, ok, storage);
      open.pop();
    }
  };
  visit(root, 0, context.txSuccess, undefined);
}

/**
 * Whether entering `storage` now re-enters it: an open frame runs in its storage and, after the
 * first such frame, another contract's frame is open (A → X → A, not A calling itself).
 */
function detectReentry(open: OpenFrame[], storage: Address): { firstDepth: number; nesting: number } | undefined {
  const parent = open[open.length - 1];
  if (!parent || parent.storage === storage) return undefined;
  let firstDepth = -1;
  let nesting = 0;
  for (let i = 0; i < open.length; i++) {
    if (open[i]!.storage !== storage) continue;
    if (firstDepth < 0) firstDepth = i;
    // Count entries, not frames: a proxy delegating to its implementation is one entry.
    if (i === 0 || open[i - 1]!.storage !== storage) nesting++;
  }
  return firstDepth < 0 ? undefined : { firstDepth, nesting };
}

function pushNativeFlow(
  context: EventContext,
  watched: ReadonlySet<string>,
  events: MonitorEvent[],
  from: Address,
  to: Address,
  amount: bigint,
  source: 'trace' | 'tx',
  depth: number | undefined,
  frameIndex: number | undefined,
): void {
  if (amount <= 0n || from === to) return;
  const fromWatched = watched.has(from);
  const toWatched = watched.has(to);
  if (!fromWatched && !toWatched) return;
  events.push({
    ...context,
    type: 'value-flow',
    asset: 'native',
    from,
    to,
    amount,
    fromWatched,
    toWatched,
    source,
    depth,
    frameIndex,
    logIndex: undefined,
  });
}

function fromLog(log: Log, context: EventContext, watched: ReadonlySet<string>, events: MonitorEvent[]): void {
  const topic0 = log.topics[0];
  if (!topic0) return;
  const address = log.address.toLowerCase() as Address;
  if (topic0 === eventTopics.Transfer) {
    // ERC-20 only: ERC-721's Transfer indexes the token id as a fourth topic and has no data.
    if (!context.txSuccess || log.topics.length !== 3 || log.data.length !== 66) return;
    const from = topicAddress(log.topics[1]!);
    const to = topicAddress(log.topics[2]!);
    const fromWatched = watched.has(from);
    const toWatched = watched.has(to);
    if (!fromWatched && !toWatched && !watched.has(address)) return;
    const event: ValueFlowEvent = {
      ...context,
      type: 'value-flow',
      asset: address,
      from,
      to,
      amount: BigInt(log.data),
      fromWatched,
      toWatched,
      source: 'log',
      depth: undefined,
      frameIndex: undefined,
      logIndex: log.logIndex,
    };
    events.push(event);
    return;
  }
  if (!watched.has(address)) return;
  const decode = adminDecoders.get(topic0.toLowerCase() as Hex);
  if (!decode) return;
  const change = decode(log);
  if (!change) return;
  const event: AdminEvent = { ...context, type: 'admin', contract: address, logIndex: log.logIndex, change };
  events.push(event);
}

/** Decodes a well-known admin event's log; undefined when its shape does not match. */
export function decodeAdminLog(log: Pick<Log, 'topics' | 'data'>): AdminChange | undefined {
  const topic0 = log.topics[0];
  if (!topic0) return undefined;
  return adminDecoders.get(topic0.toLowerCase() as Hex)?.(log as Log);
}

/** The `count` address arguments, all indexed or all in data (both layouts exist for several events). */
function addressArgs(log: Log, count: number): Address[] | undefined {
  if (log.topics.length === count + 1) return log.topics.slice(1).map(topicAddress);
  if (log.topics.length === 1 && dataWords(log.data) >= count) {
    return Array.from({ length: count }, (_, i) => wordAddress(log.data, i));
  }
  return undefined;
}

const pair =
  <N extends string, A extends string, B extends string>(name: N, a: A, b: B) =>
  (log: Log) => {
    const args = addressArgs(log, 2);
    return args ? ({ name, [a]: args[0], [b]: args[1] } as unknown as AdminChange) : undefined;
  };

const single =
  <N extends string, A extends string>(name: N, a: A) =>
  (log: Log) => {
    const args = addressArgs(log, 1);
    return args ? ({ name, [a]: args[0] } as unknown as AdminChange) : undefined;
  };

const role = (name: 'RoleGranted' | 'RoleRevoked') => (log: Log) =>
  log.topics.length === 4
    ? ({
        name,
        role: log.topics[1]!,
        account: topicAddress(log.topics[2]!),
        sender: topicAddress(log.topics[3]!),
      } as AdminChange)
    : undefined;

const adminDecoders = new Map<Hex, AdminDecoder>([
  [eventTopics.OwnershipTransferred, pair('OwnershipTransferred', 'previousOwner', 'newOwner')],
  [eventTopics.OwnershipTransferStarted, pair('OwnershipTransferStarted', 'previousOwner', 'newOwner')],
  [eventTopics.RoleGranted, role('RoleGranted')],
  [eventTopics.RoleRevoked, role('RoleRevoked')],
  [
    eventTopics.RoleAdminChanged,
    (log) =>
      log.topics.length === 4
        ? {
            name: 'RoleAdminChanged',
            role: log.topics[1]!,
            previousAdminRole: log.topics[2]!,
            newAdminRole: log.topics[3]!,
          }
        : undefined,
  ],
  [eventTopics.Upgraded, single('Upgraded', 'implementation')],
  [eventTopics.BeaconUpgraded, single('BeaconUpgraded', 'beacon')],
  [eventTopics.AdminChanged, pair('AdminChanged', 'previousAdmin', 'newAdmin')],
  [eventTopics.AdminTransferStarted, pair('AdminTransferStarted', 'previousAdmin', 'newAdmin')],
  [eventTopics.GuardianChanged, pair('GuardianChanged', 'previousGuardian', 'newGuardian')],
  [eventTopics.Paused, single('Paused', 'account')],
  [eventTopics.Unpaused, single('Unpaused', 'account')],
  [eventTopics.UnpauseCancelled, single('UnpauseCancelled', 'account')],
  [
    eventTopics.UnpauseRequested,
    (log) =>
      log.topics.length === 1 && dataWords(log.data) >= 1
        ? { name: 'UnpauseRequested', readyAt: BigInt(`0x${log.data.slice(2, 66)}`) }
        : log.topics.length === 2
          ? { name: 'UnpauseRequested', readyAt: BigInt(log.topics[1]!) }
          : undefined,
  ],
]);

function selectorOf(input: Hex): Hex | undefined {
  return input.length >= 10 ? (input.slice(0, 10).toLowerCase() as Hex) : undefined;
}

function topicAddress(topic: Hex): Address {
  return `0x${topic.slice(26).toLowerCase()}` as Address;
}

function dataWords(data: Hex): number {
  return Math.floor((data.length - 2) / 64);
}

function wordAddress(data: Hex, word: number): Address {
  const start = 2 + word * 64;
  return `0x${data.slice(start + 24, start + 64).toLowerCase()}` as Address;
}

/** The account or code an admin change hands power to, if any. */
export function adminChangeTarget(change: AdminChange): string | undefined {
  switch (change.name) {
    case 'Upgraded':
      return change.implementation;
    case 'BeaconUpgraded':
      return change.beacon;
    case 'OwnershipTransferred':
    case 'OwnershipTransferStarted':
      return change.newOwner;
    case 'AdminChanged':
    case 'AdminTransferStarted':
      return change.newAdmin;
    case 'GuardianChanged':
      return change.newGuardian;
    case 'RoleGranted':
      return change.account;
    default:
      return undefined;
  }
}
