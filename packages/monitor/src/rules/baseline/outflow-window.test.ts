import { describe, expect, test } from 'vitest';
import {
  after,
  attacker,
  block,
  ether,
  learnedVault,
  learningStart,
  Replay,
  usdc,
  user,
  vaultTraffic,
  victim,
  withdraw,
  withdrawToken,
} from '../testing.ts';
import type { Signal } from '../types.ts';
import { outflowSpikeRule } from './outflow-spike.ts';
import { outflowWindowRule as rule } from './outflow-window.ts';

const learningBlocks = vaultTraffic(1, 600, learningStart);
const learned = learnedVault(rule, learningBlocks);
const next = (offset = 0) => after(learningBlocks, 10, offset);

/** The rule's threshold for a window under the default parameters. */
const thresholdOf = (replay: Replay, window: '1b' | '5m' | '1h' | '24h') =>
  Math.max(
    3 * replay.profile.assets.native!.outflowWindowMax[window],
    1e-4 * Number(replay.profile.assets.native!.peakBalance),
  );

/** `count` withdrawals of `amount`, one every `every` blocks (12 s each), from changing addresses. */
const drain = (amount: bigint, count: number, every: number, from = next()) =>
  Array.from({ length: count }, (_, i) =>
    block(from.number + i * every, from.time + i * every * 12, [withdraw(user(100 + (i % 7)), amount)]),
  );

describe('outflow-window', () => {
  test('default: a slow drain of ordinary-sized withdrawals crosses the hour window', () => {
    const replay = learned();
    const slow = drain(3n * ether, 150, 5);
    // Each withdrawal is ordinary: the per-transaction rule stays silent throughout.
    expect(learned().run(slow, {}, {}, outflowSpikeRule)).toEqual([]);

    const signals = replay.run(slow);
    expect(signals.length).toBeGreaterThan(0);
    expect(signals.length).toBeLessThan(6);
    const [first] = signals as [Signal];
    const threshold = thresholdOf(replay, '1h');
    expect(first).toMatchObject({
      ruleId: 'outflow-window',
      stage: 'impact',
      contract: victim,
      details: { asset: 'native', window: '1h', learnedMax: replay.profile.assets.native!.outflowWindowMax['1h'] },
    });
    expect(first.actor).toMatch(/^0x000000000000000000000000000000000000e0/);
    expect(first.details.observed).toBeGreaterThan(threshold);
    expect(first.details.observed as number).toBeLessThanOrEqual(threshold + 3e18);
    expect(first.score).toBeGreaterThanOrEqual(0.3);
    expect(first.score).toBeLessThan(0.4);
    expect(first.summary).toContain('over an hour');
  });

  test('behavior: the drain escalates: crossing 2× and 4× the threshold raise stronger signals', () => {
    const replay = learned();
    const signals = replay.run(drain(6n * ether, 400, 5));
    const dayWindow = signals.filter((s) => s.details.window === '24h');
    expect(dayWindow.length).toBeGreaterThanOrEqual(2);
    const scores = dayWindow.map((s) => s.score);
    expect(scores).toEqual([...scores].sort((a, b) => a - b));
    expect(scores.at(-1)!).toBeGreaterThan(scores[0]!);
  });

  test('behavior: silent at and just below a window threshold, weak just above it', () => {
    const later = next(20_000); // a quiet day later: every window starts empty
    const half = BigInt(thresholdOf(learned(), '5m') / 2);
    const pair = (second: bigint) => [
      block(later.number, later.time, [withdraw(user(101), half)]),
      block(later.number + 2, later.time + 24, [withdraw(user(102), second)]),
    ];
    expect(learned().run(pair(half))).toEqual([]);
    expect(learned().run(pair((half * 98n) / 100n))).toEqual([]);
    const [above] = learned().run(pair((half * 102n) / 100n)) as [Signal];
    expect(above.details).toMatchObject({ window: '5m', ratio: 1.01 });
    expect(above.actor).toBe(user(102));
    expect(above.score).toBeCloseTo(0.3 + (0.4 * Math.log(1.01)) / Math.log(8), 3);
  });

  test('behavior: days of varied benign traffic raise nothing', () => {
    const replay = learned();
    expect(replay.run(vaultTraffic(2, 800, next()))).toEqual([]);
    expect(replay.run(vaultTraffic(3, 800, next(200_000)))).toEqual([]);
  });

  test('behavior: one large withdrawal is left to outflow-spike, and later ones do not re-raise it', () => {
    const replay = learned();
    const big = block(next().number, next().time, [withdraw(attacker, 3_000n * ether)]);
    expect(replay.run([big])).toEqual([]);
    expect(learned().run([big], {}, {}, outflowSpikeRule)).toHaveLength(1);
    // 500 ETH: a spike (19× the largest withdrawal) that, with the day's ordinary traffic, would take
    // the day window over 3× its learned maximum. It is not counted a second time.
    const medium = block(next().number, next().time, [withdraw(attacker, 500n * ether)]);
    expect(learned().run([medium], {}, {}, outflowSpikeRule)).toHaveLength(1);
    expect(learned().run([medium])).toEqual([]);
    // Ordinary withdrawals after it add to windows already far over their thresholds, crossing no new level.
    expect(replay.run(vaultTraffic(4, 30, next(10)))).toEqual([]);
  });

  test('behavior: an ERC-20 drained slowly is judged on its own windows', () => {
    const replay = learned();
    const max = replay.profile.assets[usdc]!.outflowWindowMax['1h'];
    const step = BigInt(Math.floor(max / 4));
    const blocks = Array.from({ length: 24 }, (_, i) =>
      block(next().number + i * 10, next().time + i * 120, [withdrawToken(attacker, step)]),
    );
    const signals = replay.run(blocks);
    expect(signals.some((s) => s.details.asset === usdc)).toBe(true);
    expect(signals.every((s) => s.details.asset === usdc)).toBe(true);
  });

  test('behavior: silent without a profile, with too few samples, or with windows longer than the learning', () => {
    const slow = drain(3n * ether, 150, 5);
    expect(learned().run(slow, {}, { profile: undefined })).toEqual([]);
    expect(new Replay(rule).run(slow)).toEqual([]);

    // Three hours of learning: the hour window is judged, the day window is not.
    const short = new Replay(rule).learn(vaultTraffic(5, 60, learningStart));
    const span = short.profile.toTime - short.profile.fromTime;
    expect(span).toBeGreaterThan(3_600);
    expect(span).toBeLessThan(86_400);
    const windows = short.run(slow).map((s) => s.details.window);
    expect(windows).not.toContain('24h');
    expect(windows.length).toBeGreaterThan(0);
    expect(new Replay(rule).learn(vaultTraffic(5, 10, learningStart)).run(slow)).toEqual([]);
  });

  test('behavior: parameters override the thresholds', () => {
    const slow = drain(3n * ether, 150, 5);
    expect(learned().run(slow)).not.toEqual([]);
    expect(learned().run(slow, { maxMultiple: 20 })).toEqual([]);
    expect(learned().run(slow, { minOutflow: 1e22 })).toEqual([]);
    expect(learned().run(slow, { minSamples: 10_000 })).toEqual([]);
    expect(learned().run(slow, { minPeakShare: 0.02 })).toEqual([]);
  });
});
