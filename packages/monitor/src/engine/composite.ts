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

/** A rule's strongest signal in the window, the block it came in, and the block the rule first fired. */
type Held = { signal: Signal; block: bigint; first: bigint };

/**
 * Joins signals per contract over a window of blocks: each rule counts once, with its strongest
 * signal, and a pause needs `minRules` rules, one of them exploitation or impact, summing to
 * `pauseScore`.
 */
export class CompositeScore {
  private readonly held = new Map<string, Map<string, Held>>();

  /** `families` maps rule ids to their family (see `MonitorRuleMetadata.family`); a rule without one is its own. */
  constructor(
    readonly options: CompositeOptions = defaultCompositeOptions,
    private readonly families: ReadonlyMap<string, string> = new Map(),
  ) {}

  /** Adds a transaction's signals and returns the verdict for each contract they concern. */
  add(block: bigint, signals: readonly Signal[]): CompositeVerdict[] {
    const touched = new Set<string>();
    for (const signal of signals) {
      const rules = this.rulesOf(signal.contract, block);
      const current = rules.get(signal.ruleId);
      if (!current || signal.score >= current.signal.score) {
        rules.set(signal.ruleId, { signal, block, first: current?.first ?? block });
      }
      touched.add(signal.contract);
    }
    return [...touched].map((contract) => this.verdict(contract, block));
  }

  /** What the verdict would be with these signals added, without keeping them (a pending transaction). */
  preview(block: bigint, signals: readonly Signal[]): CompositeVerdict[] {
    const saved = new Map([...this.held].map(([contract, rules]) => [contract, new Map(rules)]));
    try {
      return this.add(block, signals);
    } finally {
      this.held.clear();
      for (const [contract, rules] of saved) this.held.set(contract, rules);
    }
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

  private verdict(contract: string, block: bigint): CompositeVerdict {
    const held = [...this.rulesOf(contract, block).values()].sort((a, b) => b.signal.score - a.signal.score);
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
