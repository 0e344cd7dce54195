import { contributions } from '../../baseline/profile.ts';
import { defineRule } from '../defineRule.ts';
import { level, round, scaledScore, short } from '../score.ts';
import type { Signal } from '../types.ts';

/**
 * Net extraction by a contract created while the monitor watched: every transfer it ever made to
 * or from a watched contract is known, so what it took beyond what it put in is a fact, not an
 * estimate. Counted are transactions that only take (nothing flowed into the watched contract in
 * them: not a swap, a repayment or a liquidation, which pay in as they take out); what the contract
 * put in at any time is subtracted. A slow drain through a contract built for it (a claim repeated
 * eight times a block, each claim small) shows here from its first block, whatever the learned
 * window maxima; a depositor withdrawing its own funds never does (it takes back what it put in,
 * and an account that is not a new contract is not judged).
 *
 * Threshold: `minShare` of the asset's highest known balance in the watched contract. The
 * transaction that takes the net extraction across it, or across 2×, 4×, 8× … of it, raises one
 * signal. Score: `baseScore` (0.6) at the threshold, rising with log(share / threshold) to 0.8 at 8×.
 */
export const freshContractExtractionRule = defineRule({
  id: 'fresh-contract-extraction',
  title: 'A contract created while watched takes out more than it ever put in',
  category: 'value',
  stage: 'impact',
  family: 'fresh-contract-extraction',
  needs: ['traces', 'logs'],
  impact: 'high',
  confidence: 'medium',
  description:
    'Sums, per watched contract and asset, what each contract created within the recent-creation window (after the monitor started) received from the watched contract in transactions that paid nothing into it, minus everything it ever paid into it. When that net extraction reaches `minShare` of the highest balance known for the asset (or doubles past it), the contract is taking value it never contributed. Depositors, traders and liquidators pay in; an established account or contract is never judged.',
  scenario:
    'An attacker deploys a contract, enrols it as a payee with a 0.1 ETH bond, and has it claim a 0.25% rounding allowance eight times a block. Each claim is smaller than routine payouts and no learned window is exceeded in the first blocks, but by the end of the first block the new contract has taken 2% of the pool against its 0.1 ETH.',
  recommendation:
    'Look at what the new contract calls and why it is paid: a claim that is not marked as paid, a reward computed from a manipulable balance, an accounting error. Pause if the payouts are not explained. Raise `minShare` for contracts whose purpose is paying out to new accounts (a rewards distributor).',
  swc: [],
  owasp: ['SC03:2025', 'SC01:2025'],
  control: 'SA-02',
  parameters: {
    minShare: {
      default: 0.01,
      minimum: 0,
      maximum: 1,
      description:
        "Net extraction, as a share of the asset's highest known balance in the watched contract, at which the rule fires.",
    },
    baseScore: {
      default: 0.6,
      minimum: 0,
      maximum: 1,
      description: 'Score at the threshold; it rises to 0.8 at eight times the threshold.',
    },
  },
  evaluate(context) {
    const touched = contributions(context.tx, context.events);
    /** This transaction's takings by watched contract, fresh recipient and asset. */
    const taken = new Map<string, number>();
    for (const event of context.events) {
      if (event.type !== 'value-flow' || !event.fromWatched) continue;
      const inflow = touched.get(event.from)?.inflow ?? {};
      // Something was paid in in the same transaction: a trade, a repayment, a liquidation.
      if (Object.values(inflow).some((amount) => amount > 0)) continue;
      if (!context.recentCreation(event.to)) continue;
      const key = `${event.from}|${event.to}|${event.asset}`;
      taken.set(key, (taken.get(key) ?? 0) + Number(event.amount));
    }
    const signals: Signal[] = [];
    for (const [key, now] of taken) {
      const [contract, recipient, asset] = key.split('|') as [string, string, string];
      const view = context.watched.get(contract);
      const peak = view?.profile?.assets[asset]?.peakBalance;
      if (!view || peak === undefined || !(Number(peak) > 0)) continue;
      const known = context.recentCreation(recipient)?.flows?.[contract]?.[asset] ?? { taken: 0, given: 0 };
      const before = known.taken - known.given;
      const after = before + now;
      const threshold = context.parameter('minShare', contract) * Number(peak);
      if (!(threshold > 0) || level(after, threshold) <= level(before, threshold)) continue;
      const share = after / Number(peak);
      const score = scaledScore(after / threshold, context.parameter('baseScore', contract), 0.8, 8);
      signals.push({
        ruleId: 'fresh-contract-extraction',
        stage: 'impact',
        contract,
        score,
        severity: score >= 0.7 ? 'critical' : 'high',
        title: `A new contract took ${round(share * 100)}% of ${view.name}'s ${asset === 'native' ? 'ether' : asset} beyond what it put in`,
        summary: `${recipient}, created in block ${context.recentCreation(recipient)!.blockNumber}, has taken ${short(known.taken + now)} of ${asset} out of ${view.name} and put in ${short(known.given)}: a net ${short(after)}, ${round(share * 100)}% of its highest balance (threshold ${round(context.parameter('minShare', contract) * 100)}%).`,
        actor: context.tx.from,
        linked: [recipient],
        details: { recipient, asset, taken: known.taken + now, given: known.given, net: after, share: round(share) },
      });
    }
    return signals;
  },
});
