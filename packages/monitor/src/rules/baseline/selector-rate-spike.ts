import { contributions } from '../../baseline/profile.ts';
import { type WindowId, windowIds, windowSeconds } from '../../baseline/types.ts';
import { defineRule } from '../defineRule.ts';
import { level, round, scaledScore, windowNames } from '../score.ts';
import type { Signal } from '../types.ts';

/**
 * A function called far more often than it ever was: calls to one selector over a window (one block,
 * 5 minutes, an hour, a day) beyond the most calls any window of that length saw while learning.
 *
 * Threshold per window: `max(maxMultiple × learned window maximum, minCalls)`. The transaction that
 * takes the window's count across the threshold, or across 2×, 4×, 8× … of it, raises one signal
 * (calls in between do not repeat it). Score: 0.3 just past the threshold, rising with
 * log(count / threshold) to 0.7 at 8× it; the window with the largest ratio is reported.
 */
export const selectorRateSpikeRule = defineRule({
  id: 'selector-rate-spike',
  title: 'Function called far more often than learned',
  category: 'baseline',
  stage: 'exploitation',
  needs: ['baseline', 'traces'],
  impact: 'medium',
  confidence: 'medium',
  description:
    "Counts calls to each selector of a watched contract (the transaction's own call and internal calls from the trace) over the last block, 5 minutes, hour and day, and compares each count with the most calls learned for that selector in a window of that length. Selectors never seen while learning are left to `unknown-selector`. A window is judged only once the profile spans at least its length.",
  scenario:
    'A harvest function runs once an hour from a keeper. An attacker who can skew the price it swaps at calls it twelve times in five minutes, each time sandwiching the swap, or a flash-loan contract calls a reward function thirty times in one transaction to compound a rounding error.',
  recommendation:
    'See who calls the function and why it is worth calling so often: a profit per call (rewards, rounding, price impact) is the usual reason. Rate-limit or pause the function if it is not a known campaign. Raise `maxMultiple` or `minCalls` for functions with legitimate bursts.',
  swc: [],
  owasp: ['SC03:2025', 'SC07:2025'],
  control: 'SA-02',
  parameters: {
    minSamples: {
      default: 50,
      minimum: 1,
      description: 'Transactions the profile must have learned before any selector rate is judged.',
    },
    maxMultiple: {
      default: 3,
      minimum: 1,
      description: 'A window count must exceed this multiple of the most calls learned for that selector and window.',
    },
    minCalls: {
      default: 10,
      minimum: 1,
      description: 'A window count at or below this never alerts, however rare the function was.',
    },
  },
  evaluate(context) {
    const signals: Signal[] = [];
    for (const [address, contribution] of contributions(context.tx, context.events)) {
      const view = context.watched.get(address);
      const profile = view?.profile;
      if (!view || !profile || profile.txs < context.parameter('minSamples', address)) continue;
      const maxMultiple = context.parameter('maxMultiple', address);
      const minCalls = context.parameter('minCalls', address);
      const span = profile.toTime - profile.fromTime;
      for (const [selector, { calls: mine }] of Object.entries(contribution.calls)) {
        const learned = profile.selectors[selector];
        if (!learned) continue;
        const crossed: WindowCrossing[] = [];
        for (const window of windowIds) {
          // A learned maximum covers a window only when learning lasted at least that long.
          if (window !== '1b' && span < windowSeconds[window]) continue;
          const learnedMax = learned.windowMax[window];
          const threshold = Math.max(maxMultiple * learnedMax, minCalls);
          const observed = view.live[window].calls[selector] ?? 0;
          if (level(observed, threshold) <= level(observed - mine, threshold)) continue;
          crossed.push({ window, observed, learnedMax, threshold, ratio: round(observed / threshold) });
        }
        const worst = crossed.sort((a, b) => b.ratio - a.ratio)[0];
        if (!worst) continue;
        const score = scaledScore(worst.ratio, 0.3, 0.7, 8);
        const callers = [
          ...new Set(
            context.events.flatMap((event) =>
              event.type === 'call' && event.contract === address && (event.selector ?? '0x') === selector
                ? [event.caller]
                : [],
            ),
          ),
        ];
        signals.push({
          ruleId: 'selector-rate-spike',
          stage: 'exploitation',
          contract: address,
          score,
          severity: score >= 0.5 ? 'high' : 'medium',
          title: `${selector} called far more often than learned on ${view.name}`,
          summary: `${view.name}.${selector} was called ${worst.observed} times over ${windowNames[worst.window]} (${mine} in this transaction): ${worst.ratio}× the threshold ${worst.threshold}; the most learned was ${worst.learnedMax}.`,
          actor: context.tx.from,
          details: {
            selector,
            ...worst,
            callsThisTx: mine,
            callers,
            learnedCalls: learned.calls,
            windows: crossed,
          },
        });
      }
    }
    return signals;
  },
});

type WindowCrossing = { window: WindowId; observed: number; learnedMax: number; threshold: number; ratio: number };
