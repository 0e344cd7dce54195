import type { Rule, RuleContext, Signal } from '../rules/types.ts';

/*
 * The detect stage: every rule on one transaction, with its parameters resolved per contract, the
 * signals of rules a contract disabled dropped, and a rule that throws reported and skipped.
 */

export type DetectOptions = {
  rules: readonly Rule[];
  /** Rule parameters for every contract, by rule id. */
  parameters?: Record<string, Record<string, number>> | undefined;
  /** A watched contract's own rule parameters and disabled rules (lower-case address). */
  contract(
    address: string,
  ):
    | { parameters?: Record<string, Record<string, number>> | undefined; disabledRules?: readonly string[] | undefined }
    | undefined;
  onRuleError?: ((ruleId: string, error: unknown) => void) | undefined;
  /** Told how many rules ran on each transaction (for `/metrics`). */
  onEvaluated?: ((rules: number) => void) | undefined;
};

/** What the rules read of a transaction; the detector adds each rule's parameter lookup. */
export type DetectInput = Omit<RuleContext, 'parameter'>;

export type Detector = (input: DetectInput) => Signal[];

export function createDetector(options: DetectOptions): Detector {
  const { rules } = options;
  const lookups = new Map(rules.map((rule) => [rule.id, parameterLookup(options, rule)]));
  return (input) => {
    const signals: Signal[] = [];
    for (const rule of rules) {
      try {
        for (const signal of rule.evaluate({ ...input, parameter: lookups.get(rule.id)! })) {
          if (!options.contract(signal.contract)?.disabledRules?.includes(rule.id)) signals.push(signal);
        }
      } catch (error) {
        options.onRuleError?.(rule.id, error);
      }
    }
    options.onEvaluated?.(rules.length);
    return signals;
  };
}

/** A rule's thresholds: the contract's override, then the config's, then the rule's default. */
function parameterLookup(options: DetectOptions, rule: Rule) {
  return (name: string, contract?: string): number => {
    const own = contract ? options.contract(contract)?.parameters?.[rule.id]?.[name] : undefined;
    const value = own ?? options.parameters?.[rule.id]?.[name] ?? rule.parameters[name]?.default;
    if (value === undefined) throw new Error(`Rule '${rule.id}' reads an undeclared parameter '${name}'.`);
    return value;
  };
}

/**
 * The rules of a block's early pass (before its traces arrive): those that need no call trees.
 * They read the receipts, logs and the transaction's own call, all there without the traces, and
 * a trace can only add to what they see, never take away: what they raise early they raise on the
 * full block too.
 */
export function earlyRules(rules: readonly Rule[]): Rule[] {
  return rules.filter((rule) => !rule.needs.includes('traces'));
}
