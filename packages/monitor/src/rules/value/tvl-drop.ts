import { contributions } from '../../baseline/profile.ts';
import type { MonitorEvent } from '../../events/types.ts';
import { defineRule } from '../defineRule.ts';
import { round, short } from '../score.ts';
import type { Signal } from '../types.ts';

/** The short windows a TVL drop is measured over: a drain happens in a block or a few minutes. */
const windows = ['1b', '5m'] as const;
type DropWindow = (typeof windows)[number];

/**
 * A contract's holding of an asset falls by a large share within one block or five minutes.
 *
 * For each window: drop = outflow over the window / (balance now + that outflow), the balance now
 * including this transaction. Threshold: `max(maxDrop, learnedMultiple × learned window outflow
 * maximum / peak balance)`, so a contract that routinely moves most of its balance (a router, a
 * splitter) is judged against its own habit and never alerts when that reaches 100%. The transaction
 * that takes the drop across the threshold raises the signal, and so does any later one that alone
 * moves more than the threshold. Score: 0.4 just past the threshold, rising linearly to 0.75 at a
 * 100% drop.
 */
export const tvlDropRule = defineRule({
  id: 'tvl-drop',
  title: "Large drop of a contract's balance within minutes",
  category: 'value',
  stage: 'impact',
  family: 'outflow',
  needs: ['baseline', 'traces', 'logs'],
  impact: 'high',
  confidence: 'high',
  description:
    "Watches the balance (TVL) a watched contract holds of each asset, native or ERC-20: when what left it over the last block or five minutes is more than `maxDrop` of what it held at the start of that window, the contract is being drained. Needs the asset's balance in the profile (read from the node when learning starts, then kept current by the engine) and `minSamples` learned transactions.",
  scenario:
    'A lending market is drained with a flash-loan price manipulation: in one transaction 60% of its USDC leaves against worthless collateral. Or a bridge is emptied in a handful of transactions within the same block.',
  recommendation:
    'Pause the contract if its pause is automatic, otherwise at once by hand; then find the path the funds took (the recipients in the signal) and contact the exchanges they reach. Raise `maxDrop` for contracts whose balance legitimately swings (a treasury paying out, a migration).',
  swc: [],
  owasp: ['SC01:2025', 'SC02:2025', 'SC03:2025', 'SC05:2025', 'SC07:2025'],
  control: 'SA-02',
  parameters: {
    minSamples: {
      default: 20,
      minimum: 1,
      description: 'Transactions the profile must have learned before drops are judged.',
    },
    maxDrop: {
      default: 0.3,
      minimum: 0,
      maximum: 1,
      description: 'Share of the balance at the start of the window that may leave within it without an alert.',
    },
    learnedMultiple: {
      default: 2,
      minimum: 1,
      description:
        'For contracts that move large shares routinely: the drop must also exceed this multiple of the largest learned window outflow relative to the peak balance.',
    },
    minOutflow: {
      default: 1e6,
      minimum: 0,
      description: "Absolute floor in the asset's smallest unit: a window outflow at or below it never alerts.",
    },
    minPeakShare: {
      default: 0.0001,
      minimum: 0,
      maximum: 1,
      description: 'Relative floor: a window outflow at or below this share of the peak balance never alerts.',
    },
  },
  evaluate(context) {
    const signals: Signal[] = [];
    for (const [address, contribution] of contributions(context.tx, context.events)) {
      const view = context.watched.get(address);
      const profile = view?.profile;
      if (!view || !profile || profile.txs < context.parameter('minSamples', address)) continue;
      const parameter = (name: string) => context.parameter(name, address);
      for (const [asset, mine] of Object.entries(contribution.outflow)) {
        const learned = profile.assets[asset];
        if (!learned || learned.balance === undefined || !(mine > 0)) continue;
        const balance = Number(learned.balance);
        const peak = Math.max(balance, Number(learned.peakBalance ?? 0));
        const floor = Math.max(parameter('minOutflow'), parameter('minPeakShare') * peak);
        let worst: Drop | undefined;
        for (const window of windows) {
          const outflow = view.live[window].outflow[asset] ?? 0;
          if (!(outflow > floor)) continue;
          const startBalance = balance + outflow;
          const drop = outflow / startBalance;
          const learnedShare = peak > 0 ? learned.outflowWindowMax[window] / peak : 0;
          const threshold = Math.max(parameter('maxDrop'), parameter('learnedMultiple') * learnedShare);
          if (threshold >= 1 || !(drop > threshold)) continue;
          const crossing = (outflow - mine) / startBalance <= threshold;
          if (!crossing && !(mine / startBalance > threshold)) continue;
          if (!worst || drop > worst.drop) {
            worst = {
              window,
              drop: round(drop),
              threshold: round(threshold),
              outflow,
              startBalance,
              learnedShare: round(learnedShare),
            };
          }
        }
        if (!worst) continue;
        const score = round(Math.min(0.75, 0.4 + (0.35 * (worst.drop - worst.threshold)) / (1 - worst.threshold)));
        const percent = Math.round(worst.drop * 100);
        signals.push({
          ruleId: 'tvl-drop',
          stage: 'impact',
          contract: address,
          score,
          severity: worst.drop >= 0.5 ? 'critical' : 'high',
          title: `${view.name} lost ${percent}% of its ${asset} within ${worst.window === '1b' ? 'a block' : '5 minutes'}`,
          summary: `${view.name}'s ${asset} balance fell from ${short(worst.startBalance)} to ${short(balance)} (${percent}%) within ${worst.window === '1b' ? 'one block' : '5 minutes'}; the threshold is ${Math.round(worst.threshold * 100)}%.`,
          actor: context.tx.from,
          details: {
            asset,
            ...worst,
            balance,
            peakBalance: peak,
            outflowThisTx: mine,
            recipients: recipientsOf(context.events, address, asset),
          },
        });
      }
    }
    return signals;
  },
});

type Drop = {
  window: DropWindow;
  drop: number;
  threshold: number;
  outflow: number;
  startBalance: number;
  learnedShare: number;
};

/** Where this transaction sent the asset, largest first (at most five recipients). */
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
