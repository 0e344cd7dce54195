import type { CallFrame, Tx } from '@bulwark/chain';
import type { Hex } from 'viem';
import type { MonitorEvent } from '../events/types.ts';
import { standardPrivilege } from '../privilege/classify.ts';
import { callsInto, learnPrivilege } from '../privilege/learn.ts';
import type { PrivilegeMap } from '../privilege/types.ts';
import { type DecayOptions, decayProfile, defaultDecay } from './decay.ts';
import { type Contribution, learnTransaction, type WindowTracker } from './profile.ts';
import type { ContractProfile } from './types.ts';

/*
 * What the monitor learns from live traffic, and when. Every live transaction is learned except
 * the flagged ones and those linked to them, after a wait: a slow drain's first steps, too small
 * to alert, must not raise the bar for the next ones, so a transaction waits `delayBlocks` and is
 * dropped if it, its sender, or an account or contract on its path is flagged meanwhile (or was
 * flagged within as many blocks before it). Learned behaviour decays (`decay.ts`), so the baseline
 * follows the contract as it changes.
 */

/** A watched contract as learning sees it: its profile and the windows of what was learned. */
export type LearningTarget = {
  profile: ContractProfile;
  /** Learned transactions only: the window maxima are learned from these, so an attack never sets them. */
  clean: WindowTracker;
  /** Its privileged functions and control events, whose callers are learned too (privilege/learn.ts). */
  privilege?: PrivilegeMap | undefined;
};

export type LearningOptions = {
  /** Blocks a live transaction waits before it is learned. Default 25. */
  delayBlocks: number;
  decay: DecayOptions;
};

export const defaultLearning: LearningOptions = { delayBlocks: 25, decay: defaultDecay };

/** One transaction's share in one contract, to be learned. */
export type LearningInput = {
  target: LearningTarget;
  block: bigint;
  /** Block time, unix seconds. */
  time: number;
  tx: Tx;
  contribution: Contribution;
  /** The largest relative price move of the contract (a pool) within the transaction. */
  priceMove: number | undefined;
};

type Waiting = LearningInput & { links: readonly string[] };

export type LearningCounts = {
  /** Contract shares learned, at once (backfill) or after the wait. */
  learned: number;
  /** Shares of flagged transactions, never learned. */
  flagged: number;
  /** Shares dropped after the wait because a linked account was flagged. */
  dropped: number;
  waiting: number;
};

export class Learning {
  private readonly waiting: Waiting[] = [];
  /** Accounts and contracts flagged, with the last block each was. */
  private readonly flaggedAt = new Map<string, bigint>();
  private readonly delay: bigint;
  private readonly tally = { learned: 0, flagged: 0, dropped: 0 };
  private readonly snapshots = new WeakMap<Waiting, WaitingSnapshot>();

  constructor(readonly options: LearningOptions = defaultLearning) {
    this.delay = BigInt(options.delayBlocks);
  }

  /** Learns at once (backfill, where no rule runs). */
  learnNow(input: LearningInput): void {
    input.target.clean.add(input.block, input.time, input.contribution, input.tx.from);
    this.learn(input);
  }

  /** Moves a target's learned windows to a block that gave it nothing (backfill). */
  tick(target: LearningTarget, block: bigint, time: number): void {
    target.clean.add(block, time, undefined);
  }

  /** A live transaction's share that raised nothing: learned after the wait, unless a linked account is flagged. */
  defer(input: LearningInput, links: readonly string[]): void {
    this.waiting.push({ ...input, links });
  }

  /**
   * A flagged transaction: its shares (`shares`, one per contract it touched) are never learned,
   * and the accounts behind it (`accounts`: sender, attacking contracts, contracts it created)
   * hold back the waiting transactions linked to them.
   */
  flag(block: bigint, accounts: Iterable<string>, shares: number): void {
    this.tally.flagged += shares;
    for (const account of accounts) this.flaggedAt.set(account.toLowerCase(), block);
  }

  /**
   * Accounts another engine flagged at `block` (a cluster partition judging other contracts of the
   * chain): they hold back the waiting transactions linked to them as this engine's own flags do.
   * Kept at the latest block each was flagged, so flags heard out of order change nothing.
   */
  noteFlagged(block: bigint, accounts: Iterable<string>): void {
    for (const account of accounts) {
      const lower = account.toLowerCase();
      const known = this.flaggedAt.get(lower);
      if (known === undefined || known < block) this.flaggedAt.set(lower, block);
    }
  }

  /** Learns the waiting transactions whose wait is over at block `current`, dropping those linked to a flag. */
  release(current: bigint): void {
    let released = 0;
    for (const entry of this.waiting) {
      if (entry.block > current - this.delay) break;
      released++;
      if (this.linkedToFlag(entry)) this.tally.dropped++;
      else {
        entry.target.clean.add(entry.block, entry.time, entry.contribution, entry.tx.from);
        this.learn(entry);
      }
    }
    this.waiting.splice(0, released);
    if (released > 0) this.forgetOldFlags(current);
  }

  /** The target's transactions waiting to be learned, as JSON-safe data (only what learning them reads). */
  waitingOf(target: LearningTarget): WaitingSnapshot[] {
    return this.waiting.filter((entry) => entry.target === target).map((entry) => this.snapshotOf(entry));
  }

  /** A waiting transaction as saved: made once, though it is saved with every block it waits through. */
  private snapshotOf(entry: Waiting): WaitingSnapshot {
    let snapshot = this.snapshots.get(entry);
    if (!snapshot) {
      snapshot = {
        block: entry.block.toString(),
        time: entry.time,
        tx: learnedPart(entry.tx, entry.target.profile.address.toLowerCase()),
        contribution: {
          ...entry.contribution,
          net: Object.fromEntries(
            Object.entries(entry.contribution.net).map(([asset, net]) => [asset, net.toString()]),
          ),
          minted: entry.contribution.minted.toString(),
          burnt: entry.contribution.burnt.toString(),
        },
        priceMove: entry.priceMove ?? null,
        links: [...entry.links],
      };
      this.snapshots.set(entry, snapshot);
    }
    return snapshot;
  }

  /** Replaces the target's waiting transactions by saved ones (`waitingOf`, possibly another process's). */
  restoreWaiting(target: LearningTarget, saved: readonly WaitingSnapshot[]): void {
    const restored: Waiting[] = saved.map((entry) => ({
      target,
      block: BigInt(entry.block),
      time: entry.time,
      tx: fromLearnedPart(entry.tx, target.profile.address.toLowerCase(), BigInt(entry.block)),
      contribution: {
        ...entry.contribution,
        net: Object.fromEntries(Object.entries(entry.contribution.net).map(([asset, net]) => [asset, BigInt(net)])),
        minted: BigInt(entry.contribution.minted),
        burnt: BigInt(entry.contribution.burnt),
      },
      priceMove: entry.priceMove ?? undefined,
      links: entry.links,
    }));
    const others = this.waiting.filter((entry) => entry.target !== target);
    // In block order, as `defer` queued them: `release` stops at the first one still waiting.
    const merged = [...others, ...restored].sort((a, b) => (a.block < b.block ? -1 : a.block > b.block ? 1 : 0));
    this.waiting.splice(0, this.waiting.length, ...merged);
  }

  /** The accounts flagged (with the block each last was) and the counts: what learning keeps beside the waiting transactions. */
  flagsAndCounts(): LearningFlags {
    return {
      flagged: [...this.flaggedAt].map(([account, block]) => [account, block.toString()]),
      tally: { ...this.tally },
    };
  }

  /** Replaces the flagged accounts and counts by saved ones (`flagsAndCounts`). */
  restoreFlagsAndCounts(saved: LearningFlags): void {
    this.flaggedAt.clear();
    for (const [account, block] of saved.flagged) this.flaggedAt.set(account, BigInt(block));
    Object.assign(this.tally, saved.tally);
  }

  counts(): LearningCounts {
    return { ...this.tally, waiting: this.waiting.length };
  }

  private linkedToFlag(entry: Waiting): boolean {
    const since = entry.block - this.delay;
    return entry.links.some((account) => {
      const flagged = this.flaggedAt.get(account);
      return flagged !== undefined && flagged >= since;
    });
  }

  private forgetOldFlags(current: bigint): void {
    if (this.flaggedAt.size < 1024) return;
    // The oldest waiting transaction looks back `delay` blocks from its own block.
    const oldest = (this.waiting[0]?.block ?? current) - this.delay;
    for (const [account, block] of this.flaggedAt) if (block < oldest) this.flaggedAt.delete(account);
  }

  private learn({ target, time, tx, contribution, priceMove }: LearningInput): void {
    const profile = target.profile;
    decayProfile(profile, time, this.options.decay);
    learnTransaction(profile, tx, contribution, target.clean.totals);
    learnPrivilege(profile, target.privilege ?? standardPrivilege(), tx);
    if (priceMove !== undefined && profile.price)
      profile.price.maxTxMove = Math.max(profile.price.maxTxMove, priceMove);
    this.tally.learned++;
  }
}

/** A transaction waiting to be learned, as JSON-safe data (`Learning.waitingOf`). */
export type WaitingSnapshot = {
  block: string;
  time: number;
  tx: LearnedPart;
  contribution: Omit<Contribution, 'net' | 'minted' | 'burnt'> & {
    net: Record<string, string>;
    minted: string;
    burnt: string;
  };
  priceMove: number | null;
  links: string[];
};

/** The flagged accounts and learning's counts, as JSON-safe data (`Learning.flagsAndCounts`). */
export type LearningFlags = {
  flagged: [string, string][];
  tally: Omit<LearningCounts, 'waiting'>;
};

/**
 * What learning a transaction reads of it for one contract (`learn`, `learnPrivilege`): its
 * sender, gas, the successful calls into the contract with their direct callers, and the
 * contract's own logs. A waiting transaction is saved as this, not whole (its trace can be large).
 */
type LearnedPart = {
  hash: string;
  from: string;
  gasUsed: string;
  calls: { selector: string; caller: string }[];
  logs: { address: string; topics: string[]; data: string }[];
};

function learnedPart(tx: Tx, address: string): LearnedPart {
  return {
    hash: tx.hash,
    from: tx.from,
    gasUsed: tx.receipt.gasUsed.toString(),
    calls: callsInto(tx, address),
    logs: tx.receipt.logs
      .filter((log) => log.address.toLowerCase() === address)
      .map((log) => ({ address: log.address, topics: log.topics, data: log.data })),
  };
}

const noAddress = '0x0000000000000000000000000000000000000000';

/** A transaction that learning reads as it read the original: the calls into `address` as one frame each under a root frame. */
function fromLearnedPart(part: LearnedPart, address: string, block: bigint): Tx {
  const hash = part.hash as Hex;
  const frame = (from: string, to: string, input: string, calls: CallFrame[]): CallFrame => ({
    type: 'CALL',
    from: from as Hex,
    to: to as Hex,
    value: 0n,
    gas: 0n,
    gasUsed: 0n,
    input: input as Hex,
    output: undefined,
    error: undefined,
    revertReason: undefined,
    calls,
  });
  const trace = frame(
    part.from,
    noAddress,
    '0x',
    part.calls.map((call) => frame(call.caller, address, call.selector, [])),
  );
  return {
    hash,
    blockNumber: block,
    blockHash: `0x${'00'.repeat(32)}`,
    index: 0,
    type: 'saved',
    from: part.from as Hex,
    to: noAddress,
    value: 0n,
    input: '0x',
    nonce: 0n,
    gas: 0n,
    gasPrice: undefined,
    maxFeePerGas: undefined,
    maxPriorityFeePerGas: undefined,
    receipt: {
      status: 'success',
      gasUsed: BigInt(part.gasUsed),
      cumulativeGasUsed: BigInt(part.gasUsed),
      effectiveGasPrice: 0n,
      contractAddress: null,
      logs: part.logs.map((log, logIndex) => ({
        address: log.address as Hex,
        topics: log.topics as Hex[],
        data: log.data as Hex,
        logIndex,
        transactionIndex: 0,
        transactionHash: hash,
        blockNumber: block,
        blockHash: `0x${'00'.repeat(32)}`,
      })),
    },
    trace,
    traceError: undefined,
  };
}

/**
 * The accounts a transaction is linked through: its sender, and every account and contract on its
 * call path (callers, intermediaries, contracts it created), watched contracts left out. Without a
 * trace, its sender and target.
 */
export function linkedAccounts(tx: Tx, events: readonly MonitorEvent[], watched: ReadonlySet<string>): string[] {
  const links = new Set<string>([tx.from.toLowerCase()]);
  const add = (address: string | null | undefined) => {
    const lower = address?.toLowerCase();
    if (lower && !watched.has(lower)) links.add(lower);
  };
  const visit = (frame: CallFrame) => {
    add(frame.from);
    add(frame.to);
    for (const call of frame.calls) visit(call);
  };
  if (tx.trace) visit(tx.trace);
  else add(tx.to);
  for (const event of events) if (event.type === 'creation') add(event.address);
  return [...links];
}

/** The accounts a flagged transaction taints: its sender, the actors its signals name, the contracts it created. */
export function flaggedAccounts(
  tx: Tx,
  events: readonly MonitorEvent[],
  actors: readonly (string | undefined)[],
): string[] {
  const accounts = new Set<string>([tx.from.toLowerCase()]);
  for (const actor of actors) if (actor) accounts.add(actor.toLowerCase());
  for (const event of events) if (event.type === 'creation') accounts.add(event.address);
  return [...accounts];
}
