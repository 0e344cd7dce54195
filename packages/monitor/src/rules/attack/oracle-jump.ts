import type { CallFrame } from '@bulwark/chain';
import { type Hex, toFunctionSelector } from 'viem';
import type { CallEvent } from '../../events/types.ts';
import { defineRule } from '../defineRule.ts';
import type { PriceTrace, RuleContext, Signal } from '../types.ts';

/** Last descendant of each frame, by depth-first index (the `frameIndex` of the events). */
function subtreeEnds(root: CallFrame): number[] {
  const ends: number[] = [];
  const visit = (frame: CallFrame) => {
    const index = ends.length;
    ends.push(index);
    for (const call of frame.calls) visit(call);
    ends[index] = ends.length - 1;
  };
  visit(root);
  return ends;
}

/** Moving tokens to or from the pool is how a price is pushed, not a use of the displaced price. */
const tokenPlumbing = new Set<Hex>([
  toFunctionSelector('transfer(address,uint256)'),
  toFunctionSelector('transferFrom(address,address,uint256)'),
  toFunctionSelector('approve(address,uint256)'),
]);

const severityOf = (score: number): Signal['severity'] =>
  score >= 0.6 ? 'high' : score >= 0.4 ? 'medium' : score >= 0.2 ? 'low' : 'info';

export type PriceMove = {
  /** Largest |p / before − 1| during the transaction (the spread max/min − 1 when `before` is unknown). */
  move: number;
  /** max/min − 1 over the price before and every price during the transaction. */
  spread: number;
  peak: number;
  last: number;
  /** |last / before − 1|: where the price ended. */
  finalMove: number;
};

/** How far a pool's price moved within a transaction; undefined when there is nothing to compare. */
export function priceMove(trace: PriceTrace): PriceMove | undefined {
  const during = trace.during.filter((price) => Number.isFinite(price) && price > 0);
  const before =
    trace.before !== undefined && Number.isFinite(trace.before) && trace.before > 0 ? trace.before : undefined;
  const all = before === undefined ? during : [before, ...during];
  if (during.length === 0 || all.length < 2) return undefined;
  const spread = Math.max(...all) / Math.min(...all) - 1;
  const last = during[during.length - 1]!;
  if (before === undefined) {
    const first = during[0]!;
    return { move: spread, spread, peak: Math.max(...during), last, finalMove: Math.abs(last / first - 1) };
  }
  let move = 0;
  let peak = before;
  for (const price of during) {
    const relative = Math.abs(price / before - 1);
    if (relative > move) {
      move = relative;
      peak = price;
    }
  }
  return { move, spread, peak, last, finalMove: Math.abs(last / before - 1) };
}

export const oracleJumpRule = defineRule({
  id: 'oracle-jump',
  title: 'Pool price jump within one transaction',
  category: 'attack',
  stage: 'exploitation',
  impact: 'high',
  confidence: 'medium',
  description:
    "A watched pool's price (reserve1/reserve0 from its Sync logs) moves within one transaction by more than `minMove` and more than `baselineFactor` × the largest move per transaction learned for the pool (profile price.maxTxMove). The move is the largest |p / before − 1| over the prices during the transaction (the max/min spread when the price before is unknown). " +
    'Score: 0.3 at the threshold, rising linearly to 0.4 at four times it; + 0.2 when the price ends within `returnFraction` of its peak move from where it started (pushed and pulled back inside one transaction); + 0.2 when another watched contract is called while the price is displaced (after the first call that moves the pool, and before the last when the price returns). At most 0.8. ' +
    'The signal goes to the pool and to each watched contract called while the price was displaced.',
  scenario:
    'With a flash loan an attacker swaps a large amount into the pool, moving its spot price; a lending market or vault that reads this price (directly or through an oracle) then lends too much against inflated collateral, or mints shares too cheaply; the attacker swaps back and repays the loan, all in one transaction (bZx, Harvest, Cream, Inverse, Mango).',
  recommendation:
    "Check which contracts read the pool's price in this transaction and what they paid out. Price contracts from a manipulation-resistant source (TWAP over several blocks, Chainlink, several sources with deviation checks) rather than a pool's spot price.",
  swc: [],
  owasp: ['SC02:2025', 'SC07:2025'],
  control: 'SA-03',
  needs: ['logs'],
  parameters: {
    minMove: {
      default: 0.1,
      minimum: 0,
      description: 'Smallest relative move that counts (0.1 = 10 %), whatever the baseline.',
    },
    baselineFactor: {
      default: 3,
      minimum: 1,
      description: 'The move must also exceed this multiple of the largest move per transaction learned for the pool.',
    },
    returnFraction: {
      default: 0.25,
      minimum: 0,
      maximum: 1,
      description: 'The price "returns" when it ends within this fraction of its peak move from where it started.',
    },
  },
  evaluate(context) {
    const signals: Signal[] = [];
    for (const trace of context.prices) signals.push(...signalsFor(context, trace));
    return signals;
  },
});

function signalsFor(context: RuleContext, trace: PriceTrace): Signal[] {
  const pool = trace.pool.toLowerCase();
  const view = context.watched.get(pool);
  const measured = priceMove(trace);
  if (!view || !measured) return [];
  const learned = view.profile?.price?.maxTxMove;
  const threshold = Math.max(
    context.parameter('minMove', pool),
    learned !== undefined ? context.parameter('baselineFactor', pool) * learned : 0,
  );
  if (threshold <= 0 || measured.move <= threshold) return [];

  const returned = measured.finalMove <= context.parameter('returnFraction', pool) * measured.move;
  const displaced = displacedCalls(context, pool, returned);
  const ratio = measured.move / threshold;
  let score = 0.3 + 0.1 * Math.min(1, (ratio - 1) / 3);
  if (returned) score += 0.2;
  if (displaced.length > 0) score += 0.2;
  score = Math.min(0.8, Math.round(score * 1000) / 1000);

  const percent = (value: number) => `${(value * 100).toFixed(1)} %`;
  const contracts = [...new Set(displaced.map((call) => call.contract))];
  const details = {
    pool,
    before: trace.before,
    during: trace.during,
    peak: measured.peak,
    move: measured.move,
    spread: measured.spread,
    finalMove: measured.finalMove,
    threshold,
    learnedMaxTxMove: learned,
    returned,
    displacedCalls: displaced.map((call) => ({
      contract: call.contract,
      caller: call.caller,
      selector: call.selector ?? '0x',
      frameIndex: call.frameIndex,
    })),
  };
  const summary =
    `The price of ${view.name} moved ${percent(measured.move)} within the transaction (threshold ${percent(threshold)})` +
    `${returned ? ` and ended ${percent(measured.finalMove)} from where it started` : ''}` +
    `${contracts.length > 0 ? `; ${contracts.map((address) => context.watched.get(address)?.name ?? address).join(', ')} called while it was displaced` : ''}.`;
  const signal = (contract: string, name: string): Signal => ({
    ruleId: 'oracle-jump',
    stage: 'exploitation',
    contract,
    score,
    severity: severityOf(score),
    title:
      contract === pool
        ? `Price of ${name} jumped within one transaction`
        : `${name} called at a displaced price of ${view.name}`,
    summary,
    actor: context.tx.from,
    details,
  });
  return [
    signal(pool, view.name),
    ...contracts.map((address) => signal(address, context.watched.get(address)?.name ?? address)),
  ];
}

/**
 * Calls into other watched contracts while the pool's price is displaced: after the first frame
 * that changes the pool has ended, and (when the price returns) before the last one starts.
 * Needs the trace to place frames; without it the answer is empty.
 */
function displacedCalls(context: RuleContext, pool: string, returned: boolean): CallEvent[] {
  const trace = context.tx.trace;
  if (!trace) return [];
  const calls = context.events.filter(
    (event): event is CallEvent => event.type === 'call' && event.source === 'trace' && event.callType !== 'STATICCALL',
  );
  const poolFrames = calls.filter((call) => call.contract === pool).map((call) => call.frameIndex);
  if (poolFrames.length === 0) return [];
  const ends = subtreeEnds(trace);
  const first = Math.min(...poolFrames);
  const last = Math.max(...poolFrames);
  const from = ends[first] ?? first;
  return calls.filter(
    (call) =>
      call.contract !== pool &&
      context.watched.has(call.contract) &&
      !(call.selector !== undefined && tokenPlumbing.has(call.selector)) &&
      call.frameIndex > from &&
      (!returned || call.frameIndex < last),
  );
}
