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
  ether,
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
} from '../testing.ts';
import type { Signal } from '../types.ts';
import { selectorRateSpikeRule as rule } from './selector-rate-spike.ts';

// Vault traffic: deposits and withdrawals at random (sometimes three deposits in a block), and a keeper
// calling harvest() about once an hour.
const harvestSelector = '0x4641257d';
const keeper = user(200);
const harvest = (from: Address = keeper) => tx(from, frame(from, victim, { input: harvestSelector }));

function trafficWithHarvests(seed: number, count: number, start: Position) {
  const rng = random(seed);
  let nextHarvest = start.time + 3_000 + rng.int(1_200);
  return traffic(rng, count, start, ({ time }) => {
    const transactions: Tx[] = [];
    const burst = rng.next() < 0.05 ? 3 : 1;
    for (let j = 0; j < burst; j++) {
      const from = user(1 + rng.int(40));
      const amount = wei(Math.exp(rng.normal()));
      transactions.push(rng.next() < 0.5 ? deposit(from, amount) : withdraw(from, amount));
    }
    if (time >= nextHarvest) {
      transactions.push(harvest());
      nextHarvest = time + 3_000 + rng.int(1_200);
    }
    return transactions;
  });
}

const learningBlocks = trafficWithHarvests(1, 600, learningStart);
// A quiet day after learning: every window starts empty.
const later = (offset = 0) => after(learningBlocks, 7_200, offset);
const base = new Replay(rule).learn(learningBlocks);
const learned = () => base.fork();

/** `count` calls to harvest by the attacker, one every `every` blocks. */
const harvests = (count: number, every: number, from = later()) =>
  Array.from({ length: count }, (_, i) =>
    block(from.number + i * every, from.time + i * every * 12, [harvest(attacker)]),
  );

describe('selector-rate-spike', () => {
  test('default: an hourly function called twelve times in five minutes', () => {
    const replay = learned();
    expect(replay.profile.selectors[harvestSelector]!.windowMax).toMatchObject({ '1b': 1, '5m': 1, '1h': 2 });
    const signals = replay.run(harvests(12, 2));
    expect(signals).toHaveLength(1);
    const [signal] = signals as [Signal];
    expect(signal).toMatchObject({
      ruleId: 'selector-rate-spike',
      stage: 'exploitation',
      contract: victim,
      actor: attacker,
      details: {
        selector: harvestSelector,
        observed: 11,
        threshold: 10,
        learnedMax: 1,
        callsThisTx: 1,
        callers: [attacker],
      },
    });
    expect(['5m', '1h']).toContain(signal.details.window);
    expect(signal.score).toBeCloseTo(0.3 + (0.4 * Math.log(1.1)) / Math.log(8), 3);
    expect(signal.summary).toContain(`Victim.${harvestSelector} was called 11 times`);
  });

  test('behavior: forty internal calls from an attack contract in one transaction', () => {
    const attackContract = '0x00000000000000000000000000000000000a7ac1' as Address;
    const loop = tx(
      attacker,
      frame(attacker, attackContract, {
        input: '0x9e5faafc',
        calls: Array.from({ length: 40 }, () => frame(attackContract, victim, { input: harvestSelector })),
      }),
    );
    const events = normalizeBlock(block(later().number, later().time, [loop]), { watched: new Set([victim]) });
    expect(events.filter((e) => e.type === 'call' && e.depth === 1)).toHaveLength(40);
    const [signal] = learned().run([block(later().number, later().time, [loop])]) as [Signal];
    expect(signal.details).toMatchObject({ window: '1b', observed: 40, ratio: 4, callers: [attackContract] });
    expect(signal.actor).toBe(attacker);
    expect(signal.score).toBeCloseTo(0.3 + (0.4 * Math.log(4)) / Math.log(8), 3);
    expect(signal.severity).toBe('high');
  });

  test('behavior: silent at and just below the minimum count, weak just above it', () => {
    expect(learned().run(harvests(9, 2))).toEqual([]);
    expect(learned().run(harvests(10, 2))).toEqual([]);
    expect(learned().run(harvests(11, 2))).toMatchObject([{ details: { observed: 11, ratio: 1.1 } }]);
  });

  test('behavior: for a busy function the learned maximum sets the threshold', () => {
    const replay = learned();
    const perBlock = replay.profile.selectors[depositSelector]!.windowMax['1b'];
    expect(perBlock).toBe(3);
    // maxMultiple 3 × the learned 3 per block is 9, under minCalls 10: lower the minimum to see it.
    const depositsIn = (count: number) => [
      block(
        later().number,
        later().time,
        Array.from({ length: count }, (_, i) => deposit(user(300 + i), ether)),
      ),
    ];
    const parameters = { minCalls: 1 };
    expect(learned().run(depositsIn(9), parameters)).toEqual([]);
    expect(learned().run(depositsIn(8), parameters)).toEqual([]);
    expect(learned().run(depositsIn(10), parameters)).toMatchObject([
      { details: { selector: depositSelector, window: '1b', threshold: 9, observed: 10 } },
    ]);
  });

  test('behavior: the burst escalates: one signal per doubling, stronger each time', () => {
    const signals = learned().run(harvests(45, 1));
    expect(signals.map((s) => s.details.observed)).toEqual([11, 21, 41]);
    const scores = signals.map((s) => s.score);
    expect(scores).toEqual([...scores].sort((a, b) => a - b));
  });

  test('behavior: days of varied benign traffic raise nothing', () => {
    const replay = learned();
    expect(replay.run(trafficWithHarvests(2, 800, later()))).toEqual([]);
    expect(replay.run(trafficWithHarvests(3, 800, later(200_000)))).toEqual([]);
  });

  test('behavior: silent without a profile, with too few transactions, or for a selector never learned', () => {
    const burst = harvests(30, 1);
    expect(learned().run(burst, {}, { profile: undefined })).toEqual([]);
    expect(new Replay(rule).run(burst)).toEqual([]);
    expect(new Replay(rule).learn(learningBlocks.slice(0, 30)).run(burst)).toEqual([]);
    const unknown = Array.from({ length: 30 }, (_, i) =>
      block(later().number + i, later().time + i * 12, [
        tx(attacker, frame(attacker, victim, { input: '0xdeadbeef' })),
      ]),
    );
    expect(learned().run(unknown)).toEqual([]);
  });

  test('behavior: parameters override the thresholds', () => {
    const burst = harvests(12, 2);
    expect(learned().run(burst, { minCalls: 20 })).toEqual([]);
    expect(learned().run(burst, { minCalls: 1, maxMultiple: 12 })).toEqual([]);
    expect(learned().run(burst, { minCalls: 1 })[0]).toMatchObject({ details: { threshold: 3, observed: 4 } });
    expect(learned().run(burst, { minSamples: 10_000 })).toEqual([]);
  });
});
