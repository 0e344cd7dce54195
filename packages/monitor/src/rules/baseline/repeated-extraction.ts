import { contributions } from '../../baseline/profile.ts';
import { type WindowId, windowIds, windowSeconds } from '../../baseline/types.ts';
import { defineRule } from '../defineRule.ts';
import { windowNames } from '../score.ts';
import type { Signal } from '../types.ts';

/**
 * One sender taking value out of a contract in more transactions per window than any sender did
 * while it was learned: a velocity check, the way card issuers catch a stolen card used again and
 * again for small sums. Each withdrawal may be ordinary in size; their number from one account is
 * not.
 *
 * Threshold per window: `max(maxMultiple × learned maximum, minTxs)`. The transaction that reaches
 * the threshold, and each that doubles it, raises one signal. Score: 0.35 at the threshold, rising
 * with log(count / threshold) to 0.7 at 8× it.
 */
export const repeatedExtractionRule = defineRule({
  id: 'repeated-extraction',
  title: 'One sender takes value out again and again, beyond any learned sender',
  category: 'baseline',
  stage: 'impact',
  family: 'outflow',
  needs: ['baseline'],
  impact: 'high',
  confidence: 'medium',
  description:
    'Counts, per window (one block, 5 minutes, an hour, a day) and per transaction sender, the transactions that took value out of a watched contract, and compares the count with the most any single sender reached in a window of that length while the contract was learned. Catches a drain repeated from one account in small steps, which per-transaction and per-window amount thresholds let through.',
  scenario:
    'A keeper reward can be claimed again and again because its cooldown is never recorded. An attacker calls it twenty times a block, each call paying 0.1% of the vault: every payout is smaller than an ordinary withdrawal, but no account ever took value out twenty times in a block before.',
  recommendation:
    'Check what the sender calls and why it is paid each time (a missing cooldown, a claim that is not marked as claimed). Pause if the payouts are not explained. Raise `maxMultiple` for contracts used by high-frequency bots.',
  swc: [],
  owasp: ['SC03:2025', 'SC01:2025'],
  control: 'SA-02',
  parameters: {
    minSamples: {
      default: 20,
      minimum: 1,
      description: 'Learned transactions with an outflow needed before the rule judges a contract.',
    },
    maxMultiple: {
      default: 3,
      minimum: 1,
      description: 'The count must exceed this multiple of the learned maximum for the window.',
    },
    minTxs: {
      default: 5,
      minimum: 2,
      description: 'A count below this never alerts, however low the learned maximum.',
    },
  },
  evaluate(context) {
    const signals: Signal[] = [];
    const sender = context.tx.from;
    for (const [address, contribution] of contributions(context.tx, context.events)) {
      if (!Object.values(contribution.outflow).some((amount) => amount > 0)) continue;
      const view = context.watched.get(address);
      const profile = view?.profile;
      if (!view || !profile) continue;
      const parameter = (name: string) => context.parameter(name, address);
      const learnedOutflows = Object.values(profile.assets).reduce((n, asset) => n + asset.outflowPerTx.n, 0);
      if (learnedOutflows < parameter('minSamples')) continue;
      const span = profile.toTime - profile.fromTime;
      let worst: { window: WindowId; count: number; learnedMax: number; threshold: number; ratio: number } | undefined;
      for (const window of windowIds) {
        if (window !== '1b' && span < windowSeconds[window]) continue;
        const learnedMax = profile.senderOutflowTxsWindowMax[window];
        const threshold = Math.max(parameter('maxMultiple') * learnedMax, parameter('minTxs'));
        const count = view.live[window].outflowTxsBySender[sender] ?? 0;
        // Once at the threshold, then at each doubling: a drain in progress is not repeated every transaction.
        if (count < threshold || !Number.isInteger(Math.log2(count / Math.ceil(threshold)))) continue;
        const ratio = Math.round((count / threshold) * 1000) / 1000;
        if (!worst || ratio > worst.ratio) worst = { window, count, learnedMax, threshold, ratio };
      }
      if (!worst) continue;
      const score = Math.round((0.35 + 0.35 * Math.min(1, Math.log(worst.ratio) / Math.log(8))) * 1000) / 1000;
      signals.push({
        ruleId: 'repeated-extraction',
        stage: 'impact',
        contract: address,
        score,
        severity: score >= 0.6 ? 'critical' : 'high',
        title: `${sender} took value out of ${view.name} ${worst.count} times in ${windowNames[worst.window]}`,
        summary: `${worst.count} transactions from ${sender} took value out of ${view.name} within ${windowNames[worst.window]}; no sender took more than ${worst.learnedMax} while it was learned (threshold ${worst.threshold}).`,
        actor: sender,
        details: { ...worst, outflowThisTx: contribution.outflow },
      });
    }
    return signals;
  },
});
