import type { Tx } from '@bulwark/chain';
import type { Address } from 'viem';
import { describe, expect, test } from 'vitest';
import { setBalance } from '../../baseline/profile.ts';
import { standardDeviation } from '../../baseline/stats.ts';
import {
  after,
  attacker,
  block,
  deposit,
  ether,
  frame,
  learnedVault,
  learningStart,
  Replay,
  tx,
  usdc,
  user,
  vaultTraffic,
  victim,
  withdraw,
  withdrawSelector,
  withdrawToken,
} from '../testing.ts';
import type { Signal } from '../types.ts';
import { outflowSpikeRule as rule } from './outflow-spike.ts';

const learningBlocks = vaultTraffic(1, 600, learningStart);
const learned = learnedVault(rule, learningBlocks);
const next = (offset = 0) => after(learningBlocks, 10, offset);
const one = (t: Tx, offset = 0) => [block(next(offset).number, next(offset).time, [t])];

/** The rule's threshold for native outflows under the default parameters. */
function thresholdOf(replay: Replay, asset = 'native') {
  const stats = replay.profile.assets[asset]!.outflowPerTx;
  const floor = Math.max(1e6, 1e-4 * Number(replay.profile.assets[asset]!.peakBalance));
  return Math.max(3 * stats.max, stats.mean + 6 * standardDeviation(stats), floor);
}

describe('outflow-spike', () => {
  test('default: a re-entrant drain far beyond the learned outflow', () => {
    const replay = learned();
    const attackContract = '0x00000000000000000000000000000000000a7ac1' as Address;
    const drain = tx(
      attacker,
      frame(attacker, attackContract, {
        input: '0x9e5faafc',
        calls: [
          frame(attackContract, victim, {
            input: withdrawSelector,
            calls: [
              frame(victim, attackContract, {
                value: 400n * ether,
                calls: [
                  frame(attackContract, victim, {
                    input: withdrawSelector,
                    calls: [frame(victim, attackContract, { value: 400n * ether })],
                  }),
                ],
              }),
            ],
          }),
        ],
      }),
    );
    const signals = replay.run(one(drain));
    expect(signals).toHaveLength(1);
    const [signal] = signals as [Signal];
    expect(signal).toMatchObject({
      ruleId: 'outflow-spike',
      stage: 'impact',
      contract: victim,
      actor: attacker,
      details: { asset: 'native', observed: 800e18, recipients: [{ to: attackContract, amount: 800n * ether }] },
    });
    const threshold = thresholdOf(replay);
    expect(signal.details.threshold).toBeCloseTo(threshold, -3);
    expect(signal.score).toBeGreaterThanOrEqual(0.5);
    expect(signal.score).toBeLessThanOrEqual(0.8);
    expect(signal.summary).toContain('Victim sent 8.00e+20 of native');
  });

  test('behavior: learned numbers are real: the threshold is 3× the largest withdrawal', () => {
    const replay = learned();
    const stats = replay.profile.assets.native!.outflowPerTx;
    expect(stats.n).toBeGreaterThan(200);
    expect(thresholdOf(replay)).toBe(3 * stats.max);
  });

  test('behavior: silent at and just below the threshold, weak just above it', () => {
    const threshold = thresholdOf(learned());
    const probe = (amount: number) => learned().run(one(withdraw(attacker, BigInt(Math.floor(amount)))));
    expect(probe(threshold)).toEqual([]);
    expect(probe(threshold * 0.99)).toEqual([]);
    const [above] = probe(threshold * 1.05) as [Signal];
    expect(above.score).toBeCloseTo(0.35 + 0.35 * Math.log10(1.05), 2);
    expect(above.severity).toBe('medium');
  });

  test('behavior: the score grows with log(observed / threshold) and saturates at 0.7', () => {
    const threshold = thresholdOf(learned());
    const scoreAt = (ratio: number) => {
      const replay = learned();
      replay.profile.assets.native!.balance = undefined; // the spike alone, without the share of the balance
      return replay.run(one(withdraw(attacker, BigInt(Math.floor(threshold * ratio)))))[0]!.score;
    };
    expect(scoreAt(3.2)).toBeCloseTo(0.35 + 0.35 * Math.log10(3.2), 2);
    expect(scoreAt(10)).toBeCloseTo(0.7, 3);
    expect(scoreAt(1_000)).toBeCloseTo(0.7, 3);
  });

  test('behavior: days of varied benign traffic raise nothing', () => {
    const replay = learned();
    expect(replay.run(vaultTraffic(2, 800, next()))).toEqual([]);
    expect(replay.run(vaultTraffic(3, 800, next(200_000)))).toEqual([]);
  });

  test('behavior: the same amount from an ERC-20 balance', () => {
    const replay = learned();
    const threshold = thresholdOf(replay, usdc);
    const signals = replay.run(one(withdrawToken(attacker, BigInt(Math.floor(threshold * 2)))));
    expect(signals).toMatchObject([{ contract: victim, details: { asset: usdc } }]);
    expect(learned().run(one(withdrawToken(attacker, BigInt(Math.floor(threshold)))))).toEqual([]);
  });

  test('behavior: most of a small balance in one transaction, below the spike threshold', () => {
    const replay = learned();
    const stats = replay.profile.assets.native!.outflowPerTx;
    // The vault now holds little: the largest withdrawal ever plus a bit takes 80% of it.
    const amount = BigInt(Math.floor(stats.max * 1.2));
    replay.profile.assets.native!.balance = ((amount * 10n) / 8n).toString();
    const [signal] = replay.run(one(withdraw(attacker, amount))) as [Signal];
    expect(signal.details).toMatchObject({ share: 0.8, balanceBefore: (amount * 10n) / 8n });
    // 0.4 at the 50% share, linear to 0.7 at 100%.
    expect(signal.score).toBeCloseTo(0.4 + (0.3 * 0.3) / 0.5, 3);
    expect(signal.summary).toContain('80% of the balance');

    // A withdrawal no larger than the learned maximum is not judged by its share.
    const small = learned();
    small.profile.assets.native!.balance = (BigInt(stats.max) + 1n).toString();
    expect(small.run(one(withdraw(attacker, BigInt(stats.max))))).toEqual([]);
  });

  test('behavior: both the spike and the share add 0.1 to the larger, capped at 0.8', () => {
    const replay = learned();
    const signals = replay.run(one(withdraw(attacker, 9_990n * ether)));
    expect(signals[0]!.score).toBe(0.8);
    expect(signals[0]!.severity).toBe('critical');
  });

  test('behavior: silent without a profile or with too few learned outflows', () => {
    const drain = withdraw(attacker, 5_000n * ether);
    expect(learned().run(one(drain), {}, { profile: undefined })).toEqual([]);
    expect(new Replay(rule).run(one(drain))).toEqual([]);
    const few = new Replay(rule).learn(learningBlocks.slice(0, 30));
    expect(few.profile.assets.native!.outflowPerTx.n).toBeLessThan(20);
    expect(few.run(one(drain))).toEqual([]);
    expect(new Replay(rule).learn(learningBlocks.slice(0, 30)).run(one(drain), { minSamples: 5 })).toHaveLength(1);
  });

  test('behavior: parameters override the thresholds', () => {
    const threshold = thresholdOf(learned());
    const amount = BigInt(Math.floor(threshold * 2));
    expect(learned().run(one(withdraw(attacker, amount)))).toHaveLength(1);
    expect(learned().run(one(withdraw(attacker, amount)), { maxMultiple: 7 })).toEqual([]);
    expect(learned().run(one(withdraw(attacker, amount)), { minOutflow: 1e22 })).toEqual([]);
    expect(learned().run(one(withdraw(attacker, amount)), { sigmas: 1e6 })).toEqual([]);
    expect(learned().run(one(withdraw(attacker, amount)), { minPeakShare: 0.02 })).toEqual([]);
  });

  test('behavior: dust never alerts, however small the learned outflows', () => {
    // A contract that only ever paid out gas refunds of about 1e9 wei, holding 1,000 ETH.
    const dust = new Replay(rule);
    setBalance(dust.profile, 'native', 1_000n * ether);
    const refunds = Array.from({ length: 40 }, (_, i) =>
      block(learningStart.number + i * 50, learningStart.time + i * 600, [
        withdraw(user(1 + (i % 5)), 1_000_000_000n + BigInt(i)),
      ]),
    );
    dust.learn(refunds);
    // 0.05 ETH is 5e7× the largest refund, but under 0.01% of the balance: dust.
    const small = () => [
      block(learningStart.number + 5_000, learningStart.time + 60_000, [withdraw(attacker, 5n * 10n ** 16n)]),
    ];
    expect(dust.run(small())).toEqual([]);
    const again = new Replay(rule);
    setBalance(again.profile, 'native', 1_000n * ether);
    expect(again.learn(refunds).run(small(), { minPeakShare: 0 })).toMatchObject([{ score: 0.7 }]);
  });

  test('behavior: inflows, reverted transactions and other contracts are not outflows', () => {
    const replay = learned();
    expect(replay.run(one(deposit(attacker, 9_000n * ether)))).toEqual([]);
    const reverted = withdraw(attacker, 5_000n * ether);
    reverted.receipt.status = 'reverted';
    expect(replay.run(one(reverted, 1))).toEqual([]);
    const elsewhere = tx(
      attacker,
      frame(attacker, user(99), { calls: [frame(user(99), attacker, { value: 9_000n * ether })] }),
    );
    expect(replay.run(one(elsewhere, 2))).toEqual([]);
  });
});
