import type { Tx } from '@bulwark/chain';
import type { Address } from 'viem';
import { describe, expect, test } from 'vitest';
import { normalizeBlock } from '../../events/normalize.ts';
import {
  after,
  attacker,
  block,
  deposit,
  depositSelector,
  frame,
  learningStart,
  type Position,
  Replay,
  random,
  traffic,
  tx,
  user,
  victim,
  wei,
  withdraw,
  withdrawSelector,
} from '../testing.ts';
import type { Signal } from '../types.ts';
import { failedCallBurstRule as rule } from './failed-call-burst.ts';

// Vault traffic: deposits and withdrawals, 4% of them reverting (stale deadlines, too large an amount),
// and a router that sometimes tries a withdrawal, catches its failure and deposits instead.
const router = '0x00000000000000000000000000000000000a0a0a' as Address;
const reverted = (t: Tx) => {
  t.receipt.status = 'reverted';
  t.trace!.error = 'execution reverted';
  return t;
};
const routed = (from: Address) =>
  tx(
    from,
    frame(from, router, {
      calls: [
        frame(router, victim, { input: withdrawSelector, error: 'execution reverted' }),
        frame(router, victim, { input: depositSelector }),
      ],
    }),
  );

function trafficWithFailures(seed: number, count: number, start: Position) {
  const rng = random(seed);
  return traffic(rng, count, start, () => {
    const from = user(1 + rng.int(40));
    const amount = wei(Math.exp(rng.normal()));
    const kind = rng.next();
    const t = kind < 0.45 ? deposit(from, amount) : kind < 0.9 ? withdraw(from, amount) : routed(from);
    return [rng.next() < 0.04 ? reverted(t) : t];
  });
}

const learningBlocks = trafficWithFailures(1, 600, learningStart);
// A quiet day after learning: every window starts empty.
const later = (offset = 0) => after(learningBlocks, 7_200, offset);
const base = new Replay(rule).learn(learningBlocks);
const learned = () => base.fork();

/** `count` reverted calls with varying arguments, one every `every` blocks. */
const probes = (count: number, every = 1, from = later()) =>
  Array.from({ length: count }, (_, i) =>
    block(from.number + i * every, from.time + i * every * 12, [
      reverted(
        tx(attacker, frame(attacker, victim, { input: `${withdrawSelector}${i.toString(16).padStart(64, '0')}` })),
      ),
    ]),
  );

/** One transaction in which an attack contract tries `count` inputs, each reverting, and catches the failures. */
const tryMany = (count: number) => {
  const attackContract = '0x00000000000000000000000000000000000a7ac1' as Address;
  const t = tx(
    attacker,
    frame(attacker, attackContract, {
      calls: Array.from({ length: count }, (_, i) =>
        frame(attackContract, victim, {
          input: `0x1234567${i % 10}`,
          error: 'execution reverted',
          revertReason: 'bad',
        }),
      ),
    }),
  );
  return { attackContract, blocks: [block(later().number, later().time, [t])] };
};

describe('failed-call-burst', () => {
  test('default: a script probing with reverted calls crosses the five-minute window', () => {
    const replay = learned();
    expect(replay.profile.failedWindowMax).toMatchObject({ '1b': 1, '5m': 2, '1h': 4 });
    const signals = replay.run(probes(15));
    // The five-minute window (threshold 10) crosses at the 11th probe, the hour (3 × 4 learned) at the 13th.
    expect(signals.map((s) => [s.details.window, s.details.observed])).toEqual([
      ['5m', 11],
      ['1h', 13],
    ]);
    const [signal] = signals as [Signal];
    expect(signal).toMatchObject({
      ruleId: 'failed-call-burst',
      stage: 'preparation',
      contract: victim,
      actor: attacker,
      details: { observed: 11, threshold: 10, failedThisTx: 1, frames: undefined },
    });
    expect(signal.score).toBeCloseTo(0.2 + (0.3 * Math.log(1.1)) / Math.log(8), 3);
    expect(signal.severity).toBe('low');
  });

  test('behavior: many failing frames from one contract in one transaction', () => {
    const { attackContract, blocks } = tryMany(12);
    const events = normalizeBlock(blocks[0]!, { watched: new Set([victim]) });
    expect(events.filter((e) => e.type === 'call' && e.error !== undefined)).toHaveLength(12);
    const [signal] = learned().run(blocks) as [Signal];
    expect(signal.details.frames).toEqual({
      caller: attackContract,
      failed: 12,
      threshold: 5,
      selectors: Array.from({ length: 10 }, (_, i) => `0x1234567${i}`),
      errors: ['execution reverted'],
    });
    // The window crossed too (12 failed calls in one block); the larger score counts.
    expect(signal.score).toBeCloseTo(0.2 + (0.3 * Math.log(12 / 5)) / Math.log(8), 3);
    expect(signal.score).toBeLessThanOrEqual(0.5);
  });

  test('behavior: reverts while the contract is paused are no evidence', () => {
    expect(learned().run(probes(15), {}, { paused: true })).toEqual([]);
    expect(learned().run(tryMany(12).blocks, {}, { paused: true })).toEqual([]);
    expect(learned().run(probes(15))).toHaveLength(2);
  });

  test('behavior: silent at and just below the thresholds', () => {
    expect(learned().run(probes(10))).toEqual([]);
    expect(learned().run(probes(9))).toEqual([]);
    expect(learned().run(probes(11))).toHaveLength(1);
    expect(learned().run(tryMany(5).blocks)).toEqual([]);
    expect(learned().run(tryMany(6).blocks)).toMatchObject([{ details: { frames: { failed: 6 } } }]);
  });

  test('behavior: a reverted transaction counts in the window, not as failed frames of its own', () => {
    // A bot calls the vault twenty times and reverts at the end: 20 failed calls in one block.
    const bot = tx(
      attacker,
      frame(attacker, router, {
        error: 'execution reverted',
        calls: Array.from({ length: 20 }, () => frame(router, victim, { input: depositSelector })),
      }),
    );
    bot.receipt.status = 'reverted';
    const [signal] = learned().run([block(later().number, later().time, [bot])]) as [Signal];
    expect(signal.details).toMatchObject({ window: '1b', observed: 20, frames: undefined });
  });

  test('behavior: days of varied benign traffic, failures included, raise nothing', () => {
    const replay = learned();
    expect(replay.run(trafficWithFailures(2, 800, later()))).toEqual([]);
    expect(replay.run(trafficWithFailures(3, 800, later(200_000)))).toEqual([]);
  });

  test('behavior: silent without a profile or with too few learned calls', () => {
    expect(learned().run(probes(30), {}, { profile: undefined })).toEqual([]);
    expect(new Replay(rule).run(probes(30))).toEqual([]);
    expect(new Replay(rule).learn(learningBlocks.slice(0, 40)).run(probes(30))).toEqual([]);
  });

  test('behavior: parameters override the thresholds', () => {
    expect(learned().run(probes(15), { minFailed: 20 })).toEqual([]);
    expect(learned().run(probes(15), { minFailed: 1, maxMultiple: 20 })).toEqual([]);
    expect(learned().run(tryMany(12).blocks, { minFailedFrames: 12, minFailed: 12 })).toEqual([]);
    expect(learned().run(probes(15), { minSamples: 10_000 })).toEqual([]);
  });
});
