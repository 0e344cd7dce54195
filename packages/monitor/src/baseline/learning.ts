import type { CallFrame, Tx } from '@bulwark/chain';
import type { MonitorEvent } from '../events/types.ts';
import { standardPrivilege } from '../privilege/classify.ts';
import { learnPrivilege } from '../privilege/learn.ts';
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
