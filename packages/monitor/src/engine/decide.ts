import type { Rule, Signal } from '../rules/types.ts';
import type { CompositeVerdict } from './composite.ts';

/*
 * The last stage of the engine: from the composite's verdicts to pauses. A contract whose baseline
 * is still warming up (`baseline/warmUp.ts`) alerts as usual, but its pause line needs unequivocal
 * exploitation: a signal of an exploitation rule that does not read the baseline (re-entry, a
 * takeover, a price pushed within one transaction) together with value actually leaving the
 * contract (an impact signal, or outflow in the transaction). Deviations from a young baseline are
 * crossed by ordinary traffic (a whale, a burst) and never pause on their own.
 */

export type DecideInput = {
  verdicts: readonly CompositeVerdict[];
  /** Whether the contract's baseline is still warming up. */
  warmingUp(contract: string): boolean;
  /** Whether value left the contract in the transaction being judged. */
  outflow(contract: string): boolean;
};

/** Rules whose exploitation signals stand without a baseline: what a young contract may be paused on. */
export function unequivocalRules(rules: readonly Rule[]): ReadonlySet<string> {
  return new Set(
    rules.filter((rule) => rule.stage === 'exploitation' && !rule.needs.includes('baseline')).map((rule) => rule.id),
  );
}

export type Decider = (input: DecideInput) => CompositeVerdict[];

/** Applies the warm-up policy to the composite's verdicts; a verdict held back says why in `heldBack`. */
export function createDecider(unequivocal: ReadonlySet<string>): Decider {
  const isUnequivocal = (signal: Signal) => signal.stage === 'exploitation' && unequivocal.has(signal.ruleId);
  return ({ verdicts, warmingUp, outflow }) =>
    verdicts.map((verdict) => {
      if (!verdict.pause || !warmingUp(verdict.contract)) return verdict;
      const exploited = verdict.signals.some(isUnequivocal);
      const drained = outflow(verdict.contract) || verdict.signals.some((signal) => signal.stage === 'impact');
      if (exploited && drained) return verdict;
      return {
        ...verdict,
        pause: false,
        heldBack:
          'warm-up: the baseline is young, and a pause needs unequivocal exploitation (re-entry or a takeover, with outflow)',
      };
    });
}
