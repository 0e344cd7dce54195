import type { WalletRequest } from '../request/request.ts';
import { type CompiledPolicy, type DecisionInput, destinationStatus, isCallTarget } from './compilePolicy.ts';
import type { Quorum } from './policy.ts';
import { formatUsd } from './prices.ts';

export type DecisionOutcome = 'allow' | 'block' | 'require-approval';

/** Checks that hold whatever the rules say; they decide before any rule is tried. */
export const builtinChecks = {
  delegatecallTarget: 'builtin:delegatecall-target',
  allowlistCooldown: 'builtin:allowlist-cooldown',
} as const;

export type Decision = {
  outcome: DecisionOutcome;
  /** The rule that decided (a built-in check's id starts with `builtin:`). */
  rule: string;
  /** Why it matched, in words. */
  reason: string;
  /** Who must approve, when the outcome is require-approval. */
  quorum: Quorum | null;
  policyDigest: `0x${string}`;
  /** The request's value in USD, when a price was known and the policy uses USD. */
  usd: string | null;
  /** Each earlier rule and the first of its conditions that did not hold. */
  notMatched: { readonly rule: string; readonly failed: string }[];
};

export type DecideContext = {
  now?: number | undefined;
  usd?: bigint | undefined;
  velocityUsed?: ReadonlyMap<string, bigint> | undefined;
};

/**
 * Decides a request under a compiled policy: built-in checks, then the first rule whose every
 * condition holds. Pure and synchronous: prices and velocity counters are looked up before (see
 * the guard), so the same inputs always give the same decision.
 */
export function decideRequest(compiled: CompiledPolicy, request: WalletRequest, context: DecideContext = {}): Decision {
  const now = context.now ?? Date.now();
  const usd = context.usd === undefined ? null : formatUsd(context.usd);
  const base = { policyDigest: compiled.digest, usd, quorum: null, notMatched: [] as Decision['notMatched'] };
  if (request.call?.operation === 'delegatecall' && !isCallTarget(compiled, request.chain, request.call.target))
    return {
      ...base,
      outcome: 'block',
      rule: builtinChecks.delegatecallTarget,
      reason: `delegatecall to ${request.call.target}, which is not in the policy's callTargets: a delegatecall runs foreign code with the wallet's authority, so it is refused whatever the rules say.`,
    };
  const status = destinationStatus(compiled, request, now);
  if (status === 'cooling-down') {
    const usableFrom = compiled.allowlist.get(`${request.chain}:${request.destination}`)!;
    return {
      ...base,
      outcome: 'block',
      rule: builtinChecks.allowlistCooldown,
      reason: `destination ${request.destination} was added to the allowlist recently and is usable from ${new Date(usableFrom).toISOString()} (cool-down).`,
    };
  }
  const input: DecisionInput = {
    request,
    usd: context.usd,
    destinationStatus: status,
    velocityUsed: context.velocityUsed ?? new Map(),
  };
  rules: for (const rule of compiled.rules) {
    for (const condition of rule.conditions) if (!condition.holds(input)) continue rules;
    const action = rule.action;
    return withExplanation(
      {
        ...base,
        outcome: action === 'allow' ? 'allow' : action === 'block' ? 'block' : 'require-approval',
        rule: rule.id,
        reason: rule.conditions.length ? rule.conditions.map((c) => c.describe).join('; ') : 'matches every request',
        quorum: typeof action === 'object' ? action.requireApproval : null,
      },
      compiled,
      input,
      rule.index,
    );
  }
  // parsePolicy guarantees a final catch-all block; this is the same answer if it ever did not hold.
  return withExplanation(
    { ...base, outcome: 'block', rule: 'builtin:no-rule-matched', reason: 'no rule matched' },
    compiled,
    input,
    compiled.rules.length,
  );
}

/**
 * Adds `notMatched`, computed when first read (JSON.stringify reads it too): the decision path
 * itself allocates almost nothing, which keeps a 1,000-rule decision clear of collector pauses.
 * The conditions are pure, so re-running them gives what the decision saw.
 */
function withExplanation(
  decision: Omit<Decision, 'notMatched'> & { notMatched?: unknown },
  compiled: CompiledPolicy,
  input: DecisionInput,
  matchedIndex: number,
): Decision {
  delete decision.notMatched;
  let notMatched: Decision['notMatched'] | undefined;
  return Object.defineProperty(decision, 'notMatched', {
    enumerable: true,
    get() {
      if (!notMatched) {
        notMatched = [];
        for (const rule of compiled.rules.slice(0, matchedIndex)) {
          const failed = rule.conditions.find((condition) => !condition.holds(input));
          if (failed?.skipped) notMatched.push(failed.skipped);
        }
      }
      return notMatched;
    },
  }) as Decision;
}
