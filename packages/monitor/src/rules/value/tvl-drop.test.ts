import type { Block, Tx } from '@bulwark/chain';
import { describe, expect, test } from 'vitest';
import { setBalance } from '../../baseline/profile.ts';
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
  withdrawToken,
} from '../testing.ts';
import type { Signal } from '../types.ts';
import { tvlDropRule as rule } from './tvl-drop.ts';

const learningBlocks = vaultTraffic(1, 600, learningStart);
const learned = learnedVault(rule, learningBlocks);
const next = (offset = 0) => after(learningBlocks, 10, offset);
// A quiet day after learning: every window starts empty.
const later = (offset = 0) => after(learningBlocks, 7_200, offset);
/** The learned vault, holding exactly `balance` ETH now. */
const holding = (balance: bigint) => {
  const replay = learned();
  replay.profile.assets.native!.balance = (balance * ether).toString();
  return replay;
};
const inBlock = (...transactions: Tx[]) => [block(later().number, later().time, transactions)];

describe('tvl-drop', () => {
  test('default: 40% of the ether leaves in one transaction', () => {
    const replay = holding(10_000n);
    const signals = replay.run(inBlock(withdraw(attacker, 4_000n * ether)));
    expect(signals).toHaveLength(1);
    const [signal] = signals as [Signal];
    expect(signal).toMatchObject({
      ruleId: 'tvl-drop',
      stage: 'impact',
      contract: victim,
      actor: attacker,
      severity: 'high',
      details: {
        asset: 'native',
        window: '1b',
        drop: 0.4,
        threshold: 0.3,
        outflow: 4e21,
        startBalance: 1e22,
        balance: 6e21,
        recipients: [{ to: attacker, amount: 4_000n * ether }],
      },
    });
    expect(signal.score).toBeCloseTo(0.4 + (0.35 * 0.1) / 0.7, 3);
    expect(signal.title).toBe('Victim lost 40% of its native within a block');
  });

  test('behavior: learned numbers are real: the balance follows the flows and the learned share is small', () => {
    const replay = learned();
    const native = replay.profile.assets.native!;
    expect(BigInt(native.balance!)).not.toBe(10_000n * ether);
    expect(native.outflowWindowMax['5m'] / Number(native.peakBalance)).toBeLessThan(0.01);
  });

  test('behavior: a drain split over several transactions of a block: the one that crosses raises it', () => {
    const signals = holding(10_000n).run(
      inBlock(
        withdraw(user(101), 1_500n * ether),
        withdraw(user(102), 1_500n * ether),
        withdraw(user(103), 1_500n * ether),
        withdraw(user(104), 1_500n * ether),
      ),
    );
    // 15%, 30% (not beyond), 45% (crosses), 60% (already past, and 15% alone is no drain): one signal.
    expect(signals).toHaveLength(1);
    expect(signals[0]).toMatchObject({ actor: user(103), details: { drop: 0.45, outflowThisTx: 1.5e21 } });
  });

  test('behavior: a drain over a few blocks shows in the five-minute window', () => {
    const blocks = [0, 5, 10].map((offset, i) =>
      block(later(offset).number, later(offset).time, [withdraw(user(101 + i), 1_200n * ether)]),
    );
    const signals = holding(10_000n).run(blocks);
    expect(signals).toMatchObject([{ actor: user(103), details: { window: '5m', drop: 0.36 } }]);
  });

  test('behavior: silent at and just below the threshold', () => {
    expect(holding(10_000n).run(inBlock(withdraw(attacker, 3_000n * ether)))).toEqual([]);
    expect(holding(10_000n).run(inBlock(withdraw(attacker, 2_990n * ether)))).toEqual([]);
    const [above] = holding(10_000n).run(inBlock(withdraw(attacker, 3_100n * ether))) as [Signal];
    expect(above.details.drop).toBe(0.31);
    expect(above.score).toBeCloseTo(0.4 + (0.35 * 0.01) / 0.7, 3);
  });

  test('behavior: everything gone scores 0.75, critical', () => {
    const [signal] = holding(1_000n).run(inBlock(withdraw(attacker, 1_000n * ether))) as [Signal];
    expect(signal).toMatchObject({ score: 0.75, severity: 'critical', details: { drop: 1, balance: 0 } });
  });

  test('behavior: the same for an ERC-20 balance', () => {
    const replay = learned();
    replay.profile.assets[usdc]!.balance = (1_000_000n * 10n ** 6n).toString();
    const signals = replay.run(inBlock(withdrawToken(attacker, 600_000n * 10n ** 6n)));
    expect(signals).toMatchObject([{ details: { asset: usdc, drop: 0.6 }, severity: 'critical' }]);
  });

  test('behavior: a splitter that pays out all it receives is judged against its habit', () => {
    // Payments come in; a keeper distributes the whole balance to two payees every few hours.
    const payees = [user(301), user(302)];
    const splitter = new Replay(rule);
    setBalance(splitter.profile, 'native', 0n);
    const blocks: Block[] = [];
    let balance = 0n;
    for (let i = 0; i < 60; i++) {
      const at = { number: learningStart.number + i * 100, time: learningStart.time + i * 1_200 };
      if (i % 6 === 5) {
        const half = balance / 2n;
        const distribute = tx(
          user(300),
          frame(user(300), victim, {
            input: '0xe4fc6b6d',
            calls: payees.map((payee) => frame(victim, payee, { value: half })),
          }),
        );
        blocks.push(block(at.number, at.time, [distribute]));
        balance -= 2n * half;
      } else {
        const amount = BigInt(1 + (i % 4)) * ether;
        blocks.push(block(at.number, at.time, [deposit(user(1 + (i % 9)), amount)]));
        balance += amount;
      }
    }
    splitter.learn(blocks);
    const native = splitter.profile.assets.native!;
    expect(native.outflowWindowMax['1b'] / Number(native.peakBalance)).toBeGreaterThan(0.5);
    splitter.profile.assets.native!.balance = (12n * ether).toString();
    const payout = tx(
      user(300),
      frame(user(300), victim, {
        input: '0xe4fc6b6d',
        calls: payees.map((p) => frame(victim, p, { value: 6n * ether })),
      }),
    );
    expect(splitter.run([block(learningStart.number + 10_000, learningStart.time + 100_000, [payout])])).toEqual([]);
  });

  test('behavior: days of varied benign traffic raise nothing', () => {
    const replay = learned();
    expect(replay.run(vaultTraffic(2, 800, next()))).toEqual([]);
  });

  test('behavior: silent without a profile, a known balance or enough learned transactions', () => {
    const drain = () => inBlock(withdraw(attacker, 6_000n * ether));
    expect(holding(10_000n).run(drain(), {}, { profile: undefined })).toEqual([]);
    const unknown = learned();
    unknown.profile.assets.native!.balance = undefined;
    expect(unknown.run(drain())).toEqual([]);
    const young = new Replay(rule);
    setBalance(young.profile, 'native', 10_000n * ether);
    young.learn(learningBlocks.slice(0, 10));
    expect(young.run(drain())).toEqual([]);
    expect(young.run(drain(), { minSamples: 5 })).toHaveLength(1);
  });

  test('behavior: parameters override the thresholds', () => {
    const drain = () => inBlock(withdraw(attacker, 4_000n * ether));
    expect(holding(10_000n).run(drain(), { maxDrop: 0.4 })).toEqual([]);
    expect(holding(10_000n).run(drain(), { maxDrop: 0.39 })).toHaveLength(1);
    expect(holding(10_000n).run(drain(), { minOutflow: 4e21 })).toEqual([]);
    expect(holding(10_000n).run(drain(), { minPeakShare: 0.5 })).toEqual([]);
    expect(holding(10_000n).run(drain(), { learnedMultiple: 1_000 })).toEqual([]);
  });
});
