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
  notMatched: { rule: string; failed: string }[];
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
  const base = { policyDigest: compiled.digest, usd, quorum: null, notMatched: [] };
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
  const notMatched: Decision['notMatched'] = [];
  for (const rule of compiled.rules) {
    const failed = rule.conditions.find((condition) => !condition.holds(input));
    if (failed) {
      notMatched.push({ rule: rule.id, failed: failed.describe });
      continue;
    }
    const action = rule.action;
    return {
      ...base,
      outcome: action === 'allow' ? 'allow' : action === 'block' ? 'block' : 'require-approval',
      rule: rule.id,
      reason: rule.conditions.length ? rule.conditions.map((c) => c.describe).join('; ') : 'matches every request',
      quorum: typeof action === 'object' ? action.requireApproval : null,
      notMatched,
    };
  }
  // parsePolicy guarantees a final catch-all block; this is the same answer if it ever did not hold.
  return { ...base, outcome: 'block', rule: 'builtin:no-rule-matched', reason: 'no rule matched', notMatched };
}
