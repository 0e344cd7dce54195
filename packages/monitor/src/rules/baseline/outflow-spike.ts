import { contributions } from '../../baseline/profile.ts';
import { standardDeviation } from '../../baseline/stats.ts';
import type { MonitorEvent } from '../../events/types.ts';
import { defineRule } from '../defineRule.ts';
import { floorOf, round, scaledScore, short } from '../score.ts';
import type { Signal } from '../types.ts';

/**
 * One transaction moves far more of an asset out of a watched contract than any transaction did
 * while it was learned, or a large share of what it held.
 *
 * Threshold: `max(maxMultiple × learned max, learned mean + sigmas × sd, floor)`, the floor being
 * `max(minOutflow, minPeakShare × peak balance)`. Strictly above it the score is 0.35, rising with
 * log(observed / threshold) to 0.7 at 10× the threshold. A share of the balance held before the
 * transaction above `balanceShare` (only for an outflow larger than any learned) scores 0.4 at the
 * share, rising linearly to 0.7 when everything left. Both: the larger plus 0.1 (cap 0.8).
 *
 * The engine keeps `balance` current including the transaction evaluated; the rule adds back the
 * transaction's net flow to get the balance before it.
 */
export const outflowSpikeRule = defineRule({
  id: 'outflow-spike',
  title: 'Outflow far beyond the learned per-transaction outflow',
  category: 'baseline',
  stage: 'impact',
  family: 'outflow',
  needs: ['baseline', 'traces', 'logs'],
  impact: 'high',
  confidence: 'medium',
  description:
    'Compares what one transaction moves out of a watched contract, per asset (native coin from the call trace, ERC-20 from Transfer logs), with the per-transaction outflow learned for that asset: its largest value, mean and standard deviation. It also weighs the share of the balance the contract held before the transaction. Stays silent for an asset with fewer than `minSamples` learned outflows.',
  scenario:
    'An attacker finds a flaw (a missing access check, a mispriced share, a re-entrant withdrawal) and empties the vault in one transaction: 4,000 ETH leave where the largest withdrawal ever seen was 40 ETH.',
  recommendation:
    'Check the transaction and its recipients at once. If it is not a known operation (a treasury move, a migration), pause the contract and trace how the amount was authorised. Raise `maxMultiple` or `minOutflow` for a contract whose legitimate withdrawals are lumpy.',
  swc: [],
  owasp: ['SC01:2025', 'SC03:2025', 'SC05:2025', 'SC07:2025'],
  control: 'SA-02',
  parameters: {
    minSamples: {
      default: 20,
      minimum: 2,
      description: 'Learned transactions with an outflow of the asset needed before the rule judges it.',
    },
    maxMultiple: {
      default: 3,
      minimum: 1,
      description: 'The outflow must exceed this multiple of the largest learned per-transaction outflow.',
    },
    sigmas: {
      default: 6,
      minimum: 0,
      description: 'It must also exceed the learned mean by this many standard deviations.',
    },
    minOutflow: {
      default: 1e6,
      minimum: 0,
      description:
        "Absolute floor in the asset's smallest unit (1 USDC; dust for an 18-decimal asset, raise it per contract): an outflow at or below it never alerts.",
    },
    minPeakShare: {
      default: 0.0001,
      minimum: 0,
      maximum: 1,
      description:
        'Relative floor: an outflow at or below this share of the highest balance known for the asset never alerts (asset-agnostic dust).',
    },
    balanceShare: {
      default: 0.5,
      minimum: 0,
      maximum: 1,
      description:
        'Share of the balance held before the transaction that, moved out at once and above the learned maximum, alerts on its own.',
    },
  },
  evaluate(context) {
    const signals: Signal[] = [];
    for (const [address, contribution] of contributions(context.tx, context.events)) {
      const view = context.watched.get(address);
      const profile = view?.profile;
      if (!view || !profile) continue;
      const parameter = (name: string) => context.parameter(name, address);
      for (const [asset, observed] of Object.entries(contribution.outflow)) {
        const learned = profile.assets[asset];
        if (!learned || learned.outflowPerTx.n < parameter('minSamples')) continue;
        const stats = learned.outflowPerTx;
        const floor = floorOf(learned.peakBalance, parameter('minOutflow'), parameter('minPeakShare'));
        if (!(observed > floor)) continue;

        const sd = standardDeviation(stats);
        const threshold = Math.max(parameter('maxMultiple') * stats.max, stats.mean + parameter('sigmas') * sd, floor);
        const spike = observed > threshold ? scaledScore(observed / threshold, 0.35, 0.7, 10) : 0;

        // The balance includes this transaction: add back what it moved.
        let before: bigint | undefined;
        let share: number | undefined;
        let byShare = 0;
        if (learned.balance !== undefined) {
          before = BigInt(learned.balance) - (contribution.net[asset] ?? 0n);
          if (before > 0n) {
            share = Math.min(1, observed / Number(before));
            const limit = parameter('balanceShare');
            if (share > limit && observed > stats.max) byShare = round(0.4 + (0.3 * (share - limit)) / (1 - limit));
          }
        }
        if (spike === 0 && byShare === 0) continue;
        const score = round(Math.min(0.8, spike > 0 && byShare > 0 ? Math.max(spike, byShare) + 0.1 : spike + byShare));

        const recipients = recipientsOf(context.events, address, asset);
        const reasons = [
          spike > 0 ? `${round(observed / threshold)}× the threshold ${short(threshold)}` : undefined,
          byShare > 0 ? `${Math.round(share! * 100)}% of the balance it held` : undefined,
        ].filter(Boolean);
        signals.push({
          ruleId: 'outflow-spike',
          stage: 'impact',
          contract: address,
          score,
          severity: severityOf(score),
          title: `Outflow spike from ${view.name}`,
          summary: `${view.name} sent ${short(observed)} of ${asset} in one transaction (${reasons.join('; ')}); the largest learned was ${short(stats.max)}.`,
          actor: context.tx.from,
          details: {
            asset,
            observed,
            threshold: round(threshold),
            ratio: round(observed / threshold),
            baseline: { samples: stats.n, mean: round(stats.mean), sd: round(sd), max: stats.max },
            balanceBefore: before,
            share: share === undefined ? undefined : round(share),
            balanceShare: parameter('balanceShare'),
            recipients,
          },
        });
      }
    }
    return signals;
  },
});

/** Where the asset went, largest first (at most five recipients). */
function recipientsOf(events: readonly MonitorEvent[], contract: string, asset: string) {
  const byRecipient = new Map<string, bigint>();
  for (const event of events) {
    if (event.type !== 'value-flow' || event.from !== contract || event.asset !== asset) continue;
    byRecipient.set(event.to, (byRecipient.get(event.to) ?? 0n) + event.amount);
  }
  return [...byRecipient]
    .sort((a, b) => (b[1] > a[1] ? 1 : b[1] < a[1] ? -1 : 0))
    .slice(0, 5)
    .map(([to, amount]) => ({ to, amount }));
}

function severityOf(score: number): Signal['severity'] {
  return score >= 0.65 ? 'critical' : score >= 0.5 ? 'high' : score >= 0.35 ? 'medium' : 'low';
}
