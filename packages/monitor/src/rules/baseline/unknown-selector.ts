import { defineRule } from '../defineRule.ts';
import type { Signal } from '../types.ts';

/**
 * A function of a watched contract that never ran while it was learned now runs successfully.
 *
 * Score: 0.3 for the call alone (new functions get used legitimately too); 0.5 when the contract
 * also moved value out in the same transaction (an unknown code path paying out is how unprotected
 * functions get exploited).
 */
export const unknownSelectorRule = defineRule({
  id: 'unknown-selector',
  title: 'Successful call to a function never seen while learning',
  category: 'baseline',
  stage: 'exploitation',
  needs: ['baseline', 'traces'],
  impact: 'medium',
  confidence: 'low',
  description:
    "Raises a signal when a successful call into a watched contract, the transaction's own call or an internal one from the trace, uses a selector the contract's profile never saw, once the profile has learned `minCalls` calls. Read-only STATICCALL frames, calls without data (plain transfers), failed calls and transactions sent by the contract's trusted admins are ignored. After an upgrade every new function is unknown until the profile is learned again.",
  scenario:
    'An attacker finds a function nobody calls: a forgotten `initialize`, an unprotected `sweep` or `emergencyWithdraw`, a debug setter. Their contract calls it, it succeeds, and the vault pays out in the same transaction.',
  recommendation:
    "Identify the function from the selector and the contract's ABI and check who may call it. If it is not a planned release, pause the contract and restrict the function. After a legitimate upgrade, relearn the profile.",
  swc: ['SWC-105'],
  owasp: ['SC01:2025', 'SC04:2025'],
  control: 'SA-02',
  parameters: {
    minCalls: {
      default: 200,
      minimum: 1,
      description:
        'Calls the profile must have learned before a selector can count as unknown (a young profile has not seen every function yet).',
    },
  },
  evaluate(context) {
    const unknown = new Map<string, Map<string, { calls: number; callers: Set<string>; depth: number }>>();
    for (const event of context.events) {
      if (event.type !== 'call' || !event.success || event.selector === undefined) continue;
      if (event.callType === 'STATICCALL') continue;
      const view = context.watched.get(event.contract);
      const profile = view?.profile;
      if (!view || !profile || profile.calls < context.parameter('minCalls', event.contract)) continue;
      if (Object.hasOwn(profile.selectors, event.selector) || view.trustedAdmins.has(context.tx.from)) continue;
      const selectors = unknown.get(event.contract) ?? new Map();
      unknown.set(event.contract, selectors);
      const entry = selectors.get(event.selector) ?? { calls: 0, callers: new Set(), depth: event.depth };
      selectors.set(event.selector, entry);
      entry.calls++;
      entry.callers.add(event.caller);
      entry.depth = Math.min(entry.depth, event.depth);
    }

    const signals: Signal[] = [];
    for (const [address, selectors] of unknown) {
      const view = context.watched.get(address)!;
      const outflow: Record<string, bigint> = {};
      for (const event of context.events) {
        if (event.type === 'value-flow' && event.from === address && event.fromWatched) {
          outflow[event.asset] = (outflow[event.asset] ?? 0n) + event.amount;
        }
      }
      const paidOut = Object.keys(outflow).length > 0;
      const score = paidOut ? 0.5 : 0.3;
      const list = [...selectors].map(([selector, entry]) => ({
        selector,
        calls: entry.calls,
        callers: [...entry.callers],
        depth: entry.depth,
      }));
      const names = list.map((entry) => entry.selector).join(', ');
      signals.push({
        ruleId: 'unknown-selector',
        stage: 'exploitation',
        contract: address,
        score,
        severity: paidOut ? 'high' : 'medium',
        title: `Unknown function called on ${view.name}`,
        summary: `${view.name} ran ${names}, never seen in ${view.profile!.calls} learned calls${paidOut ? `, and paid out ${Object.keys(outflow).join(', ')} in the same transaction` : ''}.`,
        actor: context.tx.from,
        details: {
          selectors: list,
          learnedCalls: view.profile!.calls,
          learnedSelectors: Object.keys(view.profile!.selectors).length,
          outflow,
        },
      });
    }
    return signals;
  },
});
