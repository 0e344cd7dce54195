import type { CallFrame, Tx } from '@bulwark/chain';
import { type Address, parseAbi } from 'viem';
import { describe, expect, test } from 'vitest';
import { emptyProfile } from '../../baseline/profile.ts';
import {
  attacker,
  callEncoder,
  evaluateTx,
  exploit,
  frame,
  type TestContextParameters,
  testTx,
  testWatched,
  victim,
} from '../testing.ts';
import type { PriceTrace, WatchedView } from '../types.ts';
import { oracleJumpRule, priceMove } from './oracle-jump.ts';

const pool = '0x00000000000000000000000000000000000000a1' as Address;
const token = '0x000000000000000000000000000000000000070c' as Address;

const call = callEncoder(
  parseAbi([
    'function swap(uint256 amount0Out, uint256 amount1Out, address to, bytes data)',
    'function transfer(address to, uint256 amount) returns (bool)',
    'function borrow(uint256 amount)',
  ]),
);

const poolView = (maxTxMove?: number) => {
  const profile = emptyProfile(1, pool);
  if (maxTxMove !== undefined) profile.price = { last: 1, maxTxMove };
  return testWatched({ address: pool, name: 'Pool', kind: 'pool', profile });
};
const market = testWatched({ name: 'Market', kind: 'market' });
const tokenView = testWatched({ address: token, name: 'Token', kind: 'token' });

const run = (
  tx: Tx,
  prices: PriceTrace[],
  watched: WatchedView[] = [poolView(0.05), market],
  more: TestContextParameters = {},
) => evaluateTx(oracleJumpRule, tx, { ...more, watched, prices });

const swap = (calls: CallFrame[] = []) =>
  frame(exploit, pool, {
    input: call('swap', [0n, 10n, exploit, '0x']),
    calls: [frame(pool, token, { input: call('transfer', [exploit, 10n]) }), ...calls],
  });
const borrow = frame(exploit, victim, { input: call('borrow', [100n]) });
const transferIn = frame(exploit, token, { input: call('transfer', [pool, 10n]) });

/** Pump the pool, borrow from the market at the pumped price, dump it back. */
const pumpAndDump = frame(attacker, exploit, {
  input: '0x12345678',
  calls: [transferIn, swap(), borrow, transferIn, swap()],
});

describe('oracle-jump', () => {
  test('default: pump and dump within one transaction, with the market called in between', () => {
    const prices = [{ pool, before: 1, during: [2, 1.02] }];
    const signals = run(testTx({ to: exploit, trace: pumpAndDump }), prices, [poolView(0.05), market, tokenView]);
    // 0.3 + 0.1 (100 % move, over 4 × the 15 % threshold) + 0.2 (returned) + 0.2 (market called while displaced)
    expect(signals.map((signal) => [signal.contract, signal.score, signal.stage, signal.severity])).toEqual([
      [pool, 0.8, 'exploitation', 'high'],
      [victim, 0.8, 'exploitation', 'high'],
    ]);
    expect(signals[0]!.details).toMatchObject({
      pool,
      move: 1,
      peak: 2,
      threshold: expect.closeTo(0.15, 6),
      learnedMaxTxMove: 0.05,
      returned: true,
      // The token's transfers between the swaps are how the price is pushed, not a use of it.
      displacedCalls: [{ contract: victim, caller: exploit, selector: call('borrow', [0n]).slice(0, 10) }],
    });
  });

  test('behavior: silent on moves within the minimum or the learned range', () => {
    const tx = testTx({ to: exploit, trace: pumpAndDump });
    expect(run(tx, [{ pool, before: 1, during: [1.05, 1.0] }])).toEqual([]);
    // Learned 10 % moves per transaction: 3 × 10 % = 30 % is the threshold.
    expect(run(tx, [{ pool, before: 1, during: [1.25, 1.0] }], [poolView(0.1), market])).toEqual([]);
    expect(run(tx, [{ pool, before: 1, during: [] }])).toEqual([]);
  });

  test('behavior: a large one-way swap alone scores the base', () => {
    const trace = frame(attacker, exploit, { calls: [swap()] });
    const [signal, ...rest] = run(testTx({ to: exploit, trace }), [{ pool, before: 1, during: [0.8] }]);
    expect(rest).toEqual([]);
    // 20 % over a 15 % threshold: 0.3 + 0.1 × (1.333 − 1) / 3
    expect(signal).toMatchObject({ contract: pool, score: 0.311, details: { returned: false, displacedCalls: [] } });
  });

  test('behavior: without a price before, the spread during the transaction', () => {
    expect(priceMove({ pool, before: undefined, during: [1, 1.5, 1.01] })).toMatchObject({ move: 0.5, spread: 0.5 });
    const [signal] = run(testTx({ to: exploit, trace: pumpAndDump }), [
      { pool, before: undefined, during: [1, 1.5, 1.01] },
    ]);
    expect(signal).toMatchObject({ contract: pool, details: { returned: true } });
  });

  test('behavior: without a trace, no displaced calls', () => {
    const signals = run(testTx({ to: pool, input: call('swap', [0n, 10n, exploit, '0x']) }), [
      { pool, before: 1, during: [2, 1] },
    ]);
    expect(signals).toMatchObject([{ contract: pool, score: 0.6, details: { displacedCalls: [] } }]);
  });

  test('behavior: parameter overrides', () => {
    const tx = testTx({ to: exploit, trace: pumpAndDump });
    const prices = [{ pool, before: 1, during: [1.05, 1.0] }];
    expect(run(tx, prices, [poolView(), market], { parameters: { minMove: 0.02 } })).toHaveLength(2);
    // The price ends 40 % of its peak move from the start: returned only with a looser fraction.
    const partial = [{ pool, before: 1, during: [2, 1.4] }];
    expect(run(tx, partial)[0]).toMatchObject({ details: { returned: false } });
    expect(run(tx, partial, undefined, { parameters: { returnFraction: 0.5 } })[0]).toMatchObject({
      score: 0.8,
      details: { returned: true },
    });
    expect(run(tx, [{ pool, before: 1, during: [2, 1] }], undefined, { parameters: { baselineFactor: 30 } })).toEqual(
      [],
    );
  });
});
