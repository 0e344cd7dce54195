import { contributions } from '../../baseline/profile.ts';
import { type WindowId, windowIds, windowSeconds } from '../../baseline/types.ts';
import { defineRule } from '../defineRule.ts';
import { floorOf, level, round, scaledScore, short, windowNames } from '../score.ts';
import type { Signal } from '../types.ts';

/**
 * The slow drain: outflow summed over a window (one block, 5 minutes, an hour, a day) beyond what
 * any window of that length carried while the contract was learned, made of transactions each too
 * small to be a spike.
 *
 * Threshold per window: `max(maxMultiple × learned window maximum, floor)`, the floor being
 * `max(minOutflow, minPeakShare × peak balance)`. The transaction that takes the window's total
 * across the threshold, or across 2×, 4×, 8× … of it, raises one signal; transactions in between do
 * not repeat it, so the actor is the one whose outflow crossed. A transaction that is itself a spike
 * (more than `maxMultiple` × the largest learned per-transaction outflow) is left to `outflow-spike`:
 * one withdrawal must not count twice. Score: 0.3 just past the threshold, rising with
 * log(total / threshold) to 0.7 at 8× it; the window with the largest ratio is reported.
 */
export const outflowWindowRule = defineRule({
  id: 'outflow-window',
  title: 'Outflow over a window far beyond the learned window maximum',
  category: 'baseline',
  stage: 'impact',
  family: 'outflow',
  needs: ['baseline', 'traces', 'logs'],
  impact: 'high',
  confidence: 'medium',
  description:
    'Sums what left a watched contract, per asset, over the last block, 5 minutes, hour and day (the transaction evaluated included) and compares each total with the largest total learned for a window of that length. A window is judged only once the profile spans at least its length and the asset has `minSamples` learned outflows. Catches a drain split into many withdrawals that each stay under the per-transaction threshold; a withdrawal that is a spike on its own is left to `outflow-spike`.',
  scenario:
    'An attacker who found a rounding flaw in share redemption withdraws 2 ETH of profit every few minutes from many addresses, each withdrawal ordinary in size. Within an hour the vault has lost 300 ETH, where no hour ever saw more than 60 ETH leave.',
  recommendation:
    'Look at the window: who withdrew, through which function, and whether the accounting matches the deposits. Pause the contract if the outflow is not explained by a known event (a migration, a market crash). Raise `maxMultiple` for contracts with seasonal peaks.',
  swc: [],
  owasp: ['SC01:2025', 'SC03:2025', 'SC05:2025', 'SC07:2025'],
  control: 'SA-02',
  parameters: {
    minSamples: {
      default: 20,
      minimum: 2,
      description: 'Learned transactions with an outflow of the asset needed before its windows are judged.',
    },
    maxMultiple: {
      default: 3,
      minimum: 1,
      description: 'A window total must exceed this multiple of the largest total learned for that window length.',
    },
    minOutflow: {
      default: 1e6,
      minimum: 0,
      description:
        "Absolute floor in the asset's smallest unit (1 USDC; dust for an 18-decimal asset, raise it per contract): a window total at or below it never alerts.",
    },
    minPeakShare: {
      default: 0.0001,
      minimum: 0,
      maximum: 1,
      description:
        'Relative floor: a window total at or below this share of the highest balance known for the asset never alerts.',
    },
  },
  evaluate(context) {
    const signals: Signal[] = [];
    for (const [address, contribution] of contributions(context.tx, context.events)) {
      const view = context.watched.get(address);
      const profile = view?.profile;
      if (!view || !profile) continue;
      const parameter = (name: string) => context.parameter(name, address);
      const span = profile.toTime - profile.fromTime;
      for (const [asset, mine] of Object.entries(contribution.outflow)) {
        const learned = profile.assets[asset];
        if (!learned || learned.outflowPerTx.n < parameter('minSamples') || !(mine > 0)) continue;
        // A spike of its own is outflow-spike's to report, not part of a slow drain.
        if (mine > parameter('maxMultiple') * learned.outflowPerTx.max) continue;
        const floor = floorOf(learned.peakBalance, parameter('minOutflow'), parameter('minPeakShare'));
        const crossed: WindowCrossing[] = [];
        for (const window of windowIds) {
          // A learned maximum covers a window only when learning lasted at least that long.
          if (window !== '1b' && span < windowSeconds[window]) continue;
          const learnedMax = learned.outflowWindowMax[window];
          const threshold = Math.max(parameter('maxMultiple') * learnedMax, floor);
          const observed = view.live[window].outflow[asset] ?? 0;
          if (level(observed, threshold) <= level(observed - mine, threshold)) continue;
          crossed.push({
            window,
            observed,
            learnedMax,
            threshold: round(threshold),
            ratio: round(observed / threshold),
            txs: view.live[window].txs,
          });
        }
        const worst = crossed.sort((a, b) => b.ratio - a.ratio)[0];
        if (!worst) continue;
        const score = scaledScore(worst.ratio, 0.3, 0.7, 8);
        signals.push({
          ruleId: 'outflow-window',
          stage: 'impact',
          contract: address,
          score,
          severity: severityOf(score),
          title: `Outflow over ${windowNames[worst.window]} from ${view.name}`,
          summary: `${short(worst.observed)} of ${asset} left ${view.name} over ${windowNames[worst.window]} in ${worst.txs} transactions: ${worst.ratio}× the threshold ${short(worst.threshold)} (${parameter('maxMultiple')}× the largest learned, ${short(worst.learnedMax)}).`,
          actor: context.tx.from,
          details: { asset, ...worst, outflowThisTx: mine, windows: crossed },
        });
      }
    }
    return signals;
  },
});

type WindowCrossing = {
  window: WindowId;
  observed: number;
  learnedMax: number;
  threshold: number;
  ratio: number;
  txs: number;
};

function severityOf(score: number): Signal['severity'] {
  return score >= 0.65 ? 'critical' : score >= 0.5 ? 'high' : score >= 0.35 ? 'medium' : 'low';
}
