import type { RuleStage, Signal } from '../rules/types.ts';

export type CompositeOptions = {
  /** Sum of the strongest score of each rule at which a contract is paused. Default 1. */
  pauseScore: number;
  /** Distinct rules needed for a pause, so one signal never pauses alone. Default 2. */
  minRules: number;
  /** Blocks over which signals on one contract add up. Default 25 (about 5 minutes on Ethereum). */
  windowBlocks: number;
};

export const defaultCompositeOptions: CompositeOptions = { pauseScore: 1, minRules: 2, windowBlocks: 25 };

/** Stages that can justify a pause; preparation alone (a fresh contract, a flash loan) never does. */
const actingStages: ReadonlySet<RuleStage> = new Set(['exploitation', 'impact']);

export type CompositeVerdict = {
  contract: string;
  score: number;
  /** The strongest signal of each rule in the window, strongest first. */
  signals: Signal[];
  stages: RuleStage[];
  /** Whether the composite crossed the pause line. */
  pause: boolean;
  /** Block of the first signal in the window: where the attack is taken to have started. */
  firstBlock: bigint;
  /** Why a verdict that crossed the pause line does not pause (the warm-up policy, `decide.ts`). */
  heldBack?: string | undefined;
};

/**
 * A rule's strongest signal in the window for one account, the block it came in, the block the
 * rule first fired, and the accounts behind it (lower-case; empty: unknown, joins every other).
 */
type Held = { signal: Signal; block: bigint; first: bigint; accounts: readonly string[] };

/** A contract's signals in the window as plain data: saved with its baseline so another process continues the score. */
export type CompositeMemory = {
  key: string;
  signal: Signal;
  block: string;
  first: string;
  accounts: readonly string[];
}[];

/**
 * Joins signals per contract over a window of blocks: each rule counts once, with its strongest
 * signal, and a pause needs `minRules` rules, one of them exploitation or impact, summing to
 * `pauseScore`. Signals join only when they are about the same suspect: raised by one transaction,
 * or by transactions sharing an account (sender, attacking contract). Under heavy traffic, a
 * whale's withdrawal and a new wallet's first calls a few blocks apart are coincidences, not stages
 * of one attack; an attacker's probing, exploit and drain share the attacker.
 */
export class CompositeScore {
  private readonly held = new Map<string, Map<string, Held>>();

  /** `families` maps rule ids to their family (see `MonitorRuleMetadata.family`); a rule without one is its own. */
  constructor(
    readonly options: CompositeOptions = defaultCompositeOptions,
    private readonly families: ReadonlyMap<string, string> = new Map(),
  ) {}

  /**
   * Adds a transaction's signals and returns the verdict for each contract they concern, over the
   * signals linked to this transaction. `accounts`: who is behind the transaction (its sender, the
   * contracts it attacked through or created); each signal's actor is added. Without accounts, the
   * signals join every other (as when nothing is known of who raised them).
   */
  add(block: bigint, signals: readonly Signal[], accounts: readonly string[] = []): CompositeVerdict[] {
    const touched = new Map<string, Set<string>>();
    const base = accounts.map((account) => account.toLowerCase());
    for (const signal of signals) {
      const own = [signal.actor, ...(signal.linked ?? [])].flatMap((account) =>
        account ? [account.toLowerCase()] : [],
      );
      const behind = base.length > 0 ? [...new Set([...base, ...own])] : base;
      const rules = this.rulesOf(signal.contract, block);
      const key = `${signal.ruleId}|${behind[0] ?? ''}`;
      const current = rules.get(key);
      if (!current || signal.score >= current.signal.score) {
        // A stronger signal of the same rule about the same suspect keeps the accounts seen behind
        // the weaker one: links only grow, so more signals never take a pause away.
        const accounts = current ? joinedAccounts(current.accounts, behind) : behind;
        rules.set(key, { signal, block, first: current?.first ?? block, accounts });
      }
      const focus = touched.get(signal.contract) ?? new Set<string>();
      for (const account of behind) focus.add(account);
      touched.set(signal.contract, focus);
    }
    return [...touched].map(([contract, focus]) => this.verdict(contract, block, focus));
  }

  /** What the verdict would be with these signals added, without keeping them (a pending transaction). */
  preview(block: bigint, signals: readonly Signal[], accounts: readonly string[] = []): CompositeVerdict[] {
    return this.fork().add(block, signals, accounts);
  }

  /** A copy that signals can be added to without changing this one (a block's early pass). */
  fork(): CompositeScore {
    const copy = new CompositeScore(this.options, this.families);
    for (const [contract, rules] of this.held) copy.held.set(contract, new Map(rules));
    return copy;
  }

  /** The contract's signals held in the window (see `CompositeMemory`). */
  memory(contract: string): CompositeMemory {
    return [...(this.held.get(contract) ?? [])].map(([key, held]) => ({
      key,
      signal: held.signal,
      block: held.block.toString(),
      first: held.first.toString(),
      accounts: held.accounts,
    }));
  }

  /** Replaces the contract's signals by saved ones (what `memory` gave, possibly in another process). */
  restore(contract: string, memory: CompositeMemory): void {
    this.held.set(
      contract,
      new Map(
        memory.map((entry) => [
          entry.key,
          { signal: entry.signal, block: BigInt(entry.block), first: BigInt(entry.first), accounts: entry.accounts },
        ]),
      ),
    );
  }

  /** Forgets a contract's signals (after it was paused, or an incident was closed). */
  clear(contract: string): void {
    this.held.delete(contract);
  }

  private rulesOf(contract: string, block: bigint): Map<string, Held> {
    let rules = this.held.get(contract);
    if (!rules) {
      rules = new Map();
      this.held.set(contract, rules);
    }
    const oldest = block - BigInt(this.options.windowBlocks);
    for (const [ruleId, held] of rules) if (held.block <= oldest) rules.delete(ruleId);
    return rules;
  }

  private verdict(contract: string, block: bigint, focus: ReadonlySet<string>): CompositeVerdict {
    const held = linked([...this.rulesOf(contract, block).values()], focus).sort(
      (a, b) => b.signal.score - a.signal.score,
    );
    const signals = held.map((entry) => entry.signal);
    // A family counts once, with its strongest signal (signals are sorted strongest first).
    const counted = new Map<string, Signal>();
    for (const signal of signals) {
      const family = this.families.get(signal.ruleId) ?? signal.ruleId;
      if (!counted.has(family)) counted.set(family, signal);
    }
    const score = [...counted.values()].reduce((sum, signal) => sum + signal.score, 0);
    const stages = [...new Set(signals.map((signal) => signal.stage))];
    const pause =
      score >= this.options.pauseScore &&
      counted.size >= this.options.minRules &&
      [...counted.values()].some((signal) => actingStages.has(signal.stage));
    const firstBlock = held.reduce((first, entry) => (entry.first < first ? entry.first : first), block);
    return { contract, score: Math.round(score * 1000) / 1000, signals, stages, pause, firstBlock };
  }
}

/** Accounts behind two signals of one suspect: both sets; none (unknown, joins every other) when either has none. */
function joinedAccounts(held: readonly string[], added: readonly string[]): readonly string[] {
  if (held.length === 0 || added.length === 0) return [];
  return [...new Set([...added, ...held])];
}

/**
 * The entries linked to the `focus` accounts, directly or through each other (an entry sharing an
 * account with one already linked). An entry without accounts is linked to all; an empty focus
 * takes every entry.
 */
function linked(entries: readonly Held[], focus: ReadonlySet<string>): Held[] {
  if (focus.size === 0) return [...entries];
  const accounts = new Set(focus);
  const chosen = new Set<Held>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const entry of entries) {
      if (chosen.has(entry)) continue;
      if (entry.accounts.length > 0 && !entry.accounts.some((account) => accounts.has(account))) continue;
      chosen.add(entry);
      for (const account of entry.accounts) accounts.add(account);
      grew = true;
    }
  }
  return [...chosen];
}
