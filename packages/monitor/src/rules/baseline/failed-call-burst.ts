import { contributions } from '../../baseline/profile.ts';
import { type WindowId, windowIds, windowSeconds } from '../../baseline/types.ts';
import { defineRule } from '../defineRule.ts';
import { level, round, scaledScore, windowNames } from '../score.ts';
import type { Signal } from '../types.ts';

/**
 * Probing: failed calls into a watched contract pile up beyond anything learned, over a window or
 * within one transaction.
 *
 * Window: threshold `max(maxMultiple × learned window maximum of failed calls, minFailed)`; the
 * transaction with failed calls that takes a window's count across it, or across 2×, 4×, 8× … of it,
 * raises the signal. One transaction: frames that failed themselves (not merely inside a reverted
 * parent) from one caller, threshold `max(minFailedFrames, maxMultiple × learned one-block maximum)`.
 * Score: 0.2 just past a threshold, rising with log(count / threshold) to 0.5 at 8× it (preparation:
 * it never pauses alone); the larger of the two when both apply.
 */
export const failedCallBurstRule = defineRule({
  id: 'failed-call-burst',
  title: 'Burst of failed calls into a contract',
  category: 'baseline',
  stage: 'preparation',
  needs: ['baseline', 'traces'],
  impact: 'low',
  confidence: 'medium',
  description:
    'Counts failed calls into a watched contract over the last block, 5 minutes, hour and day, and compares each count with the most failed calls learned for a window of that length. Within one transaction it also counts the frames that reverted on their own (a contract catching the failures and trying again) per caller. A window is judged only once the profile spans at least its length and has `minSamples` learned calls. While the contract is paused (it emitted `Paused` and no `Unpaused` since) its reverts are neither judged nor counted in the windows: users meeting a pause are not probing.',
  scenario:
    'Before an exploit an attacker probes the contract: a script sends dozens of calls with crafted arguments to find which revert, or an attack contract tries many inputs inside one transaction with try/catch until one gets through a check.',
  recommendation:
    "Look at the failing calls' callers, selectors and revert reasons: probing tries variations of the same call. Watch the sender closely; a successful call from it soon after is the exploit. Raise `minFailed` for contracts that users often call with stale data (deadlines, slippage).",
  swc: [],
  owasp: ['SC04:2025', 'SC10:2025'],
  control: 'SA-02',
  parameters: {
    minSamples: {
      default: 50,
      minimum: 1,
      description: 'Calls the profile must have learned before failures are judged.',
    },
    maxMultiple: {
      default: 3,
      minimum: 1,
      description: 'A count must exceed this multiple of the most failed calls learned for that window (or block).',
    },
    minFailed: {
      default: 10,
      minimum: 1,
      description: 'Failed calls in a window at or below this never alert.',
    },
    minFailedFrames: {
      default: 5,
      minimum: 1,
      description: 'Failed frames from one caller within one transaction at or below this never alert.',
    },
  },
  evaluate(context) {
    const signals: Signal[] = [];
    for (const [address, contribution] of contributions(context.tx, context.events)) {
      const view = context.watched.get(address);
      const profile = view?.profile;
      if (!view || !profile || profile.calls < context.parameter('minSamples', address)) continue;
      // Calls reverting on a paused contract are users meeting the pause, not probing.
      if (view.paused) continue;
      const maxMultiple = context.parameter('maxMultiple', address);

      const crossed: WindowCrossing[] = [];
      const mine = contribution.failed;
      const span = profile.toTime - profile.fromTime;
      for (const window of mine > 0 ? windowIds : []) {
        if (window !== '1b' && span < windowSeconds[window]) continue;
        const learnedMax = profile.failedWindowMax[window];
        const threshold = Math.max(maxMultiple * learnedMax, context.parameter('minFailed', address));
        const observed = view.live[window].failed;
        if (level(observed, threshold) <= level(observed - mine, threshold)) continue;
        crossed.push({ window, observed, learnedMax, threshold, ratio: round(observed / threshold) });
      }
      const worst = crossed.sort((a, b) => b.ratio - a.ratio)[0];

      // Frames that failed themselves, by caller; a reverted parent makes its children fail without an error of their own.
      const byCaller = new Map<string, { frames: number; selectors: Set<string>; errors: Set<string> }>();
      for (const event of context.events) {
        if (event.type !== 'call' || event.contract !== address || event.error === undefined) continue;
        const entry = byCaller.get(event.caller) ?? { frames: 0, selectors: new Set(), errors: new Set() };
        byCaller.set(event.caller, entry);
        entry.frames++;
        entry.selectors.add(event.selector ?? '0x');
        entry.errors.add(event.error);
      }
      const frameThreshold = Math.max(
        context.parameter('minFailedFrames', address),
        maxMultiple * profile.failedWindowMax['1b'],
      );
      const [caller, probe] = [...byCaller].sort((a, b) => b[1].frames - a[1].frames)[0] ?? [];
      const inTx = probe && probe.frames > frameThreshold ? probe : undefined;

      if (!worst && !inTx) continue;
      const windowScore = worst ? scaledScore(worst.ratio, 0.2, 0.5, 8) : 0;
      const frameScore = inTx ? scaledScore(inTx.frames / frameThreshold, 0.2, 0.5, 8) : 0;
      const score = Math.max(windowScore, frameScore);
      const parts = [
        worst
          ? `${worst.observed} failed calls over ${windowNames[worst.window]} (${worst.ratio}× the threshold ${worst.threshold}; the most learned was ${worst.learnedMax})`
          : undefined,
        inTx
          ? `${inTx.frames} failed frames from ${caller} in this transaction (threshold ${frameThreshold})`
          : undefined,
      ].filter(Boolean);
      signals.push({
        ruleId: 'failed-call-burst',
        stage: 'preparation',
        contract: address,
        score,
        severity: score >= 0.35 ? 'medium' : 'low',
        title: `Burst of failed calls into ${view.name}`,
        summary: `${view.name}: ${parts.join('; ')}.`,
        actor: context.tx.from,
        details: {
          ...(worst ?? {}),
          failedThisTx: mine,
          windows: crossed,
          frames: inTx
            ? {
                caller,
                failed: inTx.frames,
                threshold: frameThreshold,
                selectors: [...inTx.selectors],
                errors: [...inTx.errors].slice(0, 3),
              }
            : undefined,
        },
      });
    }
    return signals;
  },
});

type WindowCrossing = { window: WindowId; observed: number; learnedMax: number; threshold: number; ratio: number };
