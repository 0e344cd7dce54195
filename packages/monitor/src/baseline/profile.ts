import type { Tx } from '@bulwark/chain';
import type { MonitorEvent } from '../events/types.ts';
import { addSample, emptyStats } from './stats.ts';
import {
  type AssetProfile,
  type ContractProfile,
  type LiveWindows,
  type WindowId,
  type WindowMaxima,
  type WindowTotals,
  windowIds,
  windowSeconds,
} from './types.ts';

/** Callers remembered per contract; beyond it new callers are no longer added (the counts of known ones still grow). */
export const maxCallers = 10_000;

const zeroAddress = '0x0000000000000000000000000000000000000000';

export const emptyWindowMaxima = (): WindowMaxima => ({ '1b': 0, '5m': 0, '1h': 0, '24h': 0 });

const emptyTotals = (): WindowTotals => ({ outflow: {}, failed: 0, calls: {}, txs: 0, outflowTxsBySender: {} });

export const emptyLiveWindows = (): LiveWindows => ({
  '1b': emptyTotals(),
  '5m': emptyTotals(),
  '1h': emptyTotals(),
  '24h': emptyTotals(),
});

export function emptyProfile(chainId: number, address: string): ContractProfile {
  return {
    version: 1,
    chainId,
    address,
    fromBlock: '0',
    toBlock: '0',
    fromTime: 0,
    toTime: 0,
    blocks: 0,
    txs: 0,
    selectors: {},
    callers: {},
    calls: 0,
    failed: 0,
    failedWindowMax: emptyWindowMaxima(),
    senderOutflowTxsWindowMax: emptyWindowMaxima(),
    gas: emptyStats(),
    assets: {},
    mintPerTx: emptyStats(),
    supply: undefined,
    adminEvents: {},
    adminActors: {},
    logsPerTx: emptyStats(),
    price: undefined,
  };
}

const emptyAsset = (): AssetProfile => ({
  outflowPerTx: emptyStats(),
  outflowWindowMax: emptyWindowMaxima(),
  inflowPerTx: emptyStats(),
  balance: undefined,
  peakBalance: undefined,
});

/** The profile of one asset of a contract, created empty on first use. */
function assetOf(profile: ContractProfile, asset: string): AssetProfile {
  profile.assets[asset] ??= emptyAsset();
  return profile.assets[asset];
}

/** What one transaction did to one watched contract. */
export type Contribution = {
  /** Calls into the contract by selector (`0x` without data). */
  calls: Record<string, { calls: number; failed: number }>;
  /** Direct callers: the transaction sender at depth 0, the calling contract below. */
  callers: string[];
  failed: number;
  outflow: Record<string, number>;
  inflow: Record<string, number>;
  /** Exact net change per asset, for the balance. */
  net: Record<string, bigint>;
  /** For a token contract: amount it minted and burnt. */
  minted: bigint;
  burnt: bigint;
  adminEvents: string[];
  logs: number;
};

const computed = new WeakMap<readonly MonitorEvent[], Map<string, Contribution>>();

/**
 * Splits a transaction's events by the watched contracts they concern. Computed once per events
 * array (the engine and every rule ask for it); treat the result as read-only.
 */
export function contributions(tx: Tx, events: readonly MonitorEvent[]): Map<string, Contribution> {
  let cached = computed.get(events);
  if (!cached) {
    cached = split(tx, events);
    computed.set(events, cached);
  }
  return cached;
}

function split(tx: Tx, events: readonly MonitorEvent[]): Map<string, Contribution> {
  const byContract = new Map<string, Contribution>();
  const of = (address: string) => {
    let contribution = byContract.get(address);
    if (!contribution) {
      contribution = {
        calls: {},
        callers: [],
        failed: 0,
        outflow: {},
        inflow: {},
        net: {},
        minted: 0n,
        burnt: 0n,
        adminEvents: [],
        logs: 0,
      };
      byContract.set(address, contribution);
    }
    return contribution;
  };
  for (const event of events) {
    if (event.type === 'call') {
      const contribution = of(event.contract);
      const key = event.selector ?? '0x';
      contribution.calls[key] ??= { calls: 0, failed: 0 };
      const entry = contribution.calls[key];
      entry.calls++;
      if (!event.success) {
        entry.failed++;
        contribution.failed++;
      }
      contribution.callers.push(event.caller);
    } else if (event.type === 'value-flow') {
      const amount = Number(event.amount);
      if (event.fromWatched) {
        const contribution = of(event.from);
        contribution.outflow[event.asset] = (contribution.outflow[event.asset] ?? 0) + amount;
        contribution.net[event.asset] = (contribution.net[event.asset] ?? 0n) - event.amount;
      }
      if (event.toWatched) {
        const contribution = of(event.to);
        contribution.inflow[event.asset] = (contribution.inflow[event.asset] ?? 0) + amount;
        contribution.net[event.asset] = (contribution.net[event.asset] ?? 0n) + event.amount;
      }
      if (event.asset !== 'native') {
        if (event.from === zeroAddress) of(event.asset).minted += event.amount;
        if (event.to === zeroAddress) of(event.asset).burnt += event.amount;
      }
    } else if (event.type === 'admin') {
      of(event.contract).adminEvents.push(event.change.name);
    }
  }
  for (const log of tx.receipt.logs) {
    const contribution = byContract.get(log.address);
    if (contribution) contribution.logs++;
  }
  return byContract;
}

type Entry = {
  block: bigint;
  time: number;
  outflow: Record<string, number>;
  failed: number;
  calls: Record<string, number>;
  /** The transaction's sender when it took value out, else undefined. */
  extractor: string | undefined;
};

/** A `WindowTracker` as JSON-safe data (`snapshot`, `restore`). */
export type WindowSnapshot = {
  /**
   * The number of the first transaction in `entries`, counted from the tracker's first: a
   * transaction keeps its number while it stays, so a saved copy can be written in parts, only the
   * new ones each block.
   */
  first: number;
  entries: (Omit<Entry, 'block'> & { block: string })[];
  starts: Record<WindowId, number>;
  totals: LiveWindows;
};

/**
 * Sums over the last block, 5 minutes, hour and day, moved forward one transaction at a time.
 * Transactions are added in chain order; each window drops what fell out of it.
 */
export class WindowTracker {
  private entries: Entry[] = [];
  /** How many transactions were dropped from the front of `entries`: `entries[i]` is the tracker's transaction number `offset + i`. */
  private offset = 0;
  private readonly saved = new WeakMap<Entry, WindowSnapshot['entries'][number]>();
  private starts: Record<WindowId, number> = { '1b': 0, '5m': 0, '1h': 0, '24h': 0 };
  readonly totals: LiveWindows = emptyLiveWindows();

  /** Adds a transaction's contribution (`undefined`: a block with nothing for this contract, which still moves the windows). */
  add(block: bigint, time: number, contribution: Contribution | undefined, sender?: string): void {
    if (contribution) {
      const calls: Record<string, number> = {};
      for (const [selector, entry] of Object.entries(contribution.calls)) calls[selector] = entry.calls;
      const extractor = Object.values(contribution.outflow).some((amount) => amount > 0) ? sender : undefined;
      const entry: Entry = {
        block,
        time,
        outflow: contribution.outflow,
        failed: contribution.failed,
        calls,
        extractor,
      };
      this.entries.push(entry);
      for (const id of windowIds) apply(this.totals[id], entry, 1);
    }
    this.evict(block, time);
  }

  /**
   * Returns what undoes the transactions added from now on. Within one block only: once the block
   * has moved the windows, adding its transactions expires nothing, so undoing is subtracting.
   */
  mark(): () => void {
    const length = this.entries.length;
    const keys = windowIds.map((id) => ({
      calls: new Set(Object.keys(this.totals[id].calls)),
      outflow: new Set(Object.keys(this.totals[id].outflow)),
    }));
    return () => {
      for (const entry of this.entries.splice(length)) for (const id of windowIds) apply(this.totals[id], entry, -1);
      // Selectors and assets the undone transactions brought in go too (left at zero, they would read the same but differ).
      windowIds.forEach((id, i) => {
        const totals = this.totals[id];
        for (const key of Object.keys(totals.calls)) if (!keys[i]!.calls.has(key)) delete totals.calls[key];
        for (const key of Object.keys(totals.outflow)) if (!keys[i]!.outflow.has(key)) delete totals.outflow[key];
      });
    };
  }

  /**
   * The windows as JSON-safe data: the transactions still in the day window (the longest), where
   * each shorter window starts among them, and the totals as summed (kept, not summed again: float
   * sums depend on their order). `restore` puts them back exactly.
   */
  snapshot(): WindowSnapshot {
    const first = this.starts['24h'];
    const starts = { ...this.starts };
    for (const id of windowIds) starts[id] -= first;
    return {
      first: this.offset + first,
      entries: this.entries.slice(first).map((entry) => this.savedOf(entry)),
      starts,
      totals: structuredClone(this.totals),
    };
  }

  /** A transaction as `snapshot` gives it: made once (it never changes), though every snapshot while it stays holds it. */
  private savedOf(entry: Entry): WindowSnapshot['entries'][number] {
    let saved = this.saved.get(entry);
    if (!saved) {
      saved = { ...entry, block: entry.block.toString() };
      this.saved.set(entry, saved);
    }
    return saved;
  }

  /** Replaces the windows by a snapshot (this tracker's, or another process's). */
  restore(snapshot: WindowSnapshot): void {
    this.entries = snapshot.entries.map((entry) => ({ ...entry, block: BigInt(entry.block) }));
    this.offset = snapshot.first;
    this.starts = { ...snapshot.starts };
    for (const id of windowIds) this.totals[id] = structuredClone(snapshot.totals[id]);
  }

  private evict(block: bigint, time: number): void {
    for (const id of windowIds) {
      const totals = this.totals[id];
      let start = this.starts[id];
      while (start < this.entries.length) {
        const entry = this.entries[start]!;
        const expired = id === '1b' ? entry.block < block : entry.time <= time - windowSeconds[id];
        if (!expired) break;
        apply(totals, entry, -1);
        start++;
      }
      this.starts[id] = start;
    }
    // The day window starts last; drop what every window has passed.
    const dropped = this.starts['24h'];
    if (dropped > 1024 && dropped * 2 > this.entries.length) {
      this.entries.splice(0, dropped);
      this.offset += dropped;
      for (const id of windowIds) this.starts[id] -= dropped;
    }
  }
}

function apply(totals: WindowTotals, entry: Entry, sign: 1 | -1): void {
  totals.txs += sign;
  totals.failed += sign * entry.failed;
  for (const [asset, amount] of Object.entries(entry.outflow)) {
    const next = (totals.outflow[asset] ?? 0) + sign * amount;
    // Float sums drift; a window that emptied is exactly zero.
    totals.outflow[asset] = Math.abs(next) < 1e-6 * Math.max(1, amount) ? 0 : next;
  }
  for (const [selector, count] of Object.entries(entry.calls))
    totals.calls[selector] = (totals.calls[selector] ?? 0) + sign * count;
  if (entry.extractor) {
    const count = (totals.outflowTxsBySender[entry.extractor] ?? 0) + sign;
    if (count > 0) totals.outflowTxsBySender[entry.extractor] = count;
    else delete totals.outflowTxsBySender[entry.extractor];
  }
}

/** Moves the balance and supply a profile tracks by a transaction's exact flows (whether or not it is learned). */
export function applyBalances(profile: ContractProfile, contribution: Contribution): void {
  for (const [asset, net] of Object.entries(contribution.net)) {
    const entry = assetOf(profile, asset);
    if (entry.balance === undefined) continue;
    const balance = BigInt(entry.balance) + net;
    entry.balance = (balance < 0n ? 0n : balance).toString();
    if (entry.peakBalance === undefined || balance > BigInt(entry.peakBalance)) entry.peakBalance = entry.balance;
  }
  if (profile.supply !== undefined && (contribution.minted > 0n || contribution.burnt > 0n)) {
    profile.supply = (BigInt(profile.supply) + contribution.minted - contribution.burnt).toString();
  }
}

/** Sets an asset's balance (read from the node). */
export function setBalance(profile: ContractProfile, asset: string, balance: bigint): void {
  const entry = assetOf(profile, asset);
  entry.balance = balance.toString();
  if (entry.peakBalance === undefined || balance > BigInt(entry.peakBalance)) entry.peakBalance = entry.balance;
}

/** Learns one transaction: rates, callers, amounts, and the window maxima as they stand after it. */
export function learnTransaction(
  profile: ContractProfile,
  tx: Tx,
  contribution: Contribution,
  windows: LiveWindows,
): void {
  profile.txs++;
  addSample(profile.gas, Number(tx.receipt.gasUsed));
  addSample(profile.logsPerTx, contribution.logs);
  for (const [selector, entry] of Object.entries(contribution.calls)) {
    profile.selectors[selector] ??= { calls: 0, failed: 0, windowMax: emptyWindowMaxima() };
    const known = profile.selectors[selector];
    known.calls += entry.calls;
    known.failed += entry.failed;
    profile.calls += entry.calls;
    profile.failed += entry.failed;
    for (const id of windowIds) known.windowMax[id] = Math.max(known.windowMax[id], windows[id].calls[selector] ?? 0);
  }
  let callers = Object.keys(profile.callers).length;
  for (const caller of contribution.callers) {
    if (caller in profile.callers) profile.callers[caller]!++;
    else if (callers < maxCallers) {
      profile.callers[caller] = 1;
      callers++;
    }
  }
  for (const id of windowIds) {
    profile.failedWindowMax[id] = Math.max(profile.failedWindowMax[id], windows[id].failed);
    const extracted = windows[id].outflowTxsBySender[tx.from] ?? 0;
    profile.senderOutflowTxsWindowMax[id] = Math.max(profile.senderOutflowTxsWindowMax[id], extracted);
  }
  for (const [asset, amount] of Object.entries(contribution.outflow)) {
    const entry = assetOf(profile, asset);
    addSample(entry.outflowPerTx, amount);
    for (const id of windowIds) {
      entry.outflowWindowMax[id] = Math.max(entry.outflowWindowMax[id], windows[id].outflow[asset] ?? 0);
    }
  }
  for (const [asset, amount] of Object.entries(contribution.inflow)) {
    addSample(assetOf(profile, asset).inflowPerTx, amount);
  }
  if (contribution.minted > 0n) addSample(profile.mintPerTx, Number(contribution.minted));
  if (contribution.adminEvents.length > 0) {
    for (const name of contribution.adminEvents) profile.adminEvents[name] = (profile.adminEvents[name] ?? 0) + 1;
    profile.adminActors[tx.from] = (profile.adminActors[tx.from] ?? 0) + 1;
  }
}

/** Notes that a block was seen (the span the profile covers). */
export function learnBlock(profile: ContractProfile, number: bigint, timestamp: bigint): void {
  if (profile.blocks === 0) {
    profile.fromBlock = number.toString();
    profile.fromTime = Number(timestamp);
  }
  profile.blocks++;
  profile.toBlock = number.toString();
  profile.toTime = Number(timestamp);
}
