import { contributions, maxCallers } from '../../baseline/profile.ts';
import { standardDeviation } from '../../baseline/stats.ts';
import type { MonitorEvent } from '../../events/types.ts';
import { defineRule } from '../defineRule.ts';
import { round, scaledScore, short } from '../score.ts';
import type { Signal } from '../types.ts';

const zeroAddress = '0x0000000000000000000000000000000000000000';

/**
 * A watched token mints far more in one transaction than it ever did, or a large share of its supply.
 *
 * Size: threshold `max(maxMultiple × learned max, learned mean + sigmas × sd, minMint)`, judged once
 * `minMints` mints were learned; score 0.35 just past it, rising with log(minted / threshold) to 0.7
 * at 10×. Supply: minted / supply before the transaction above `supplyJump` (for a token with learned
 * mints, only a mint larger than any learned); score 0.4 just past it, rising with log(jump / supplyJump)
 * to 0.7 at 10×. Both: the larger plus 0.1. A recipient that never called the token adds 0.1. Cap 0.8.
 *
 * The engine keeps `supply` current including the transaction evaluated; the rule takes the
 * transaction's mints and burns back out to get the supply before it.
 */
export const mintJumpRule = defineRule({
  id: 'mint-jump',
  title: 'Token minted far beyond its learned mints or supply',
  category: 'value',
  stage: 'impact',
  needs: ['baseline', 'logs'],
  impact: 'high',
  confidence: 'medium',
  description:
    "For a watched token (`kind: 'token'`): adds up what one transaction mints (ERC-20 Transfer events from the zero address) and compares it with the mints learned (largest, mean, standard deviation) and with the supply the profile keeps. A token that never minted while learned is judged by its supply alone. Recipients that never called the token during learning make the signal stronger.",
  scenario:
    'A bridge accepts a forged message, or a missing check on `mint` lets anyone call it: the attacker mints 10^30 tokens to a fresh address and sells them into every pool before anyone notices.',
  recommendation:
    "Pause the token or its minter, and the pools and markets that accept it as collateral. Check the minter's authorisation (roles, bridge message proofs) for the transaction. Raise `maxMultiple` or `supplyJump` for tokens with large scheduled emissions.",
  swc: [],
  owasp: ['SC01:2025', 'SC03:2025', 'SC08:2025'],
  control: 'SA-02',
  parameters: {
    minSamples: {
      default: 50,
      minimum: 1,
      description: 'Transactions the token profile must have learned before mints are judged.',
    },
    minMints: {
      default: 10,
      minimum: 2,
      description: 'Learned mints needed before the size of a mint is judged (fewer: the supply alone decides).',
    },
    maxMultiple: {
      default: 3,
      minimum: 1,
      description: 'A mint must exceed this multiple of the largest learned mint.',
    },
    sigmas: {
      default: 6,
      minimum: 0,
      description: 'It must also exceed the learned mean mint by this many standard deviations.',
    },
    minMint: {
      default: 1e6,
      minimum: 0,
      description: "Absolute floor in the token's smallest unit: a smaller mint never alerts.",
    },
    supplyJump: {
      default: 0.05,
      minimum: 0,
      description: 'Share of the supply before the transaction that one transaction may mint without an alert.',
    },
  },
  evaluate(context) {
    const signals: Signal[] = [];
    for (const [address, contribution] of contributions(context.tx, context.events)) {
      const view = context.watched.get(address);
      const profile = view?.profile;
      if (view?.kind !== 'token' || !profile || contribution.minted === 0n) continue;
      const parameter = (name: string) => context.parameter(name, address);
      if (profile.txs < parameter('minSamples')) continue;
      const minted = Number(contribution.minted);
      const minMint = parameter('minMint');
      if (!(minted > minMint)) continue;

      const stats = profile.mintPerTx;
      const sized = stats.n >= parameter('minMints');
      const sd = standardDeviation(stats);
      const threshold = sized
        ? Math.max(parameter('maxMultiple') * stats.max, stats.mean + parameter('sigmas') * sd, minMint)
        : undefined;
      const bySize = threshold !== undefined && minted > threshold ? scaledScore(minted / threshold, 0.35, 0.7, 10) : 0;

      // The supply includes this transaction (the engine keeps it current): take it back out.
      let supplyBefore: bigint | undefined;
      let jump: number | undefined;
      let bySupply = 0;
      if (profile.supply !== undefined) {
        supplyBefore = BigInt(profile.supply) - contribution.minted + contribution.burnt;
        jump = supplyBefore > 0n ? minted / Number(supplyBefore) : Number.POSITIVE_INFINITY;
        const limit = parameter('supplyJump');
        if (jump > limit && (!sized || minted > stats.max)) bySupply = scaledScore(jump / limit, 0.4, 0.7, 10);
      }
      if (bySize === 0 && bySupply === 0) continue;

      const recipients = recipientsOf(context.events, address);
      // The caller list stops growing at its bound: beyond it, "never seen" cannot be told.
      const callersComplete = Object.keys(profile.callers).length < maxCallers;
      const fresh = callersComplete
        ? recipients.filter((r) => !Object.hasOwn(profile.callers, r.to)).map((r) => r.to)
        : [];
      const base = bySize > 0 && bySupply > 0 ? Math.max(bySize, bySupply) + 0.1 : bySize + bySupply;
      const score = round(Math.min(0.8, base + (fresh.length > 0 ? 0.1 : 0)));
      const reasons = [
        bySize > 0 ? `${round(minted / threshold!)}× the threshold ${short(threshold!)}` : undefined,
        bySupply > 0
          ? Number.isFinite(jump)
            ? `${round(jump! * 100)}% of the supply`
            : 'from a zero supply'
          : undefined,
        fresh.length > 0 ? `to ${fresh.length === 1 ? 'an address' : 'addresses'} never seen before` : undefined,
      ].filter(Boolean);
      signals.push({
        ruleId: 'mint-jump',
        stage: 'impact',
        contract: address,
        score,
        severity: score >= 0.65 ? 'critical' : score >= 0.5 ? 'high' : 'medium',
        title: `${view.name} minted far beyond its baseline`,
        summary: `${view.name} minted ${short(minted)} in one transaction (${reasons.join('; ')}); the largest learned mint was ${short(stats.max)}.`,
        actor: context.tx.from,
        details: {
          minted: contribution.minted,
          threshold: threshold === undefined ? undefined : round(threshold),
          ratio: threshold === undefined ? undefined : round(minted / threshold),
          baseline: { mints: stats.n, mean: round(stats.mean), sd: round(sd), max: stats.max },
          supplyBefore,
          jump: jump === undefined || !Number.isFinite(jump) ? jump : round(jump),
          supplyJump: parameter('supplyJump'),
          recipients,
          newRecipients: fresh,
        },
      });
    }
    return signals;
  },
});

/** Who received the mint, largest first (at most five). */
function recipientsOf(events: readonly MonitorEvent[], token: string) {
  const byRecipient = new Map<string, bigint>();
  for (const event of events) {
    if (event.type !== 'value-flow' || event.asset !== token || event.from !== zeroAddress) continue;
    byRecipient.set(event.to, (byRecipient.get(event.to) ?? 0n) + event.amount);
  }
  return [...byRecipient]
    .sort((a, b) => (b[1] > a[1] ? 1 : b[1] < a[1] ? -1 : 0))
    .slice(0, 5)
    .map(([to, amount]) => ({ to, amount }));
}
