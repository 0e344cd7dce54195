import type { Log, Tx } from '@bulwark/chain';
import type { Address, Hex } from 'viem';
import { describe, expect, test } from 'vitest';
import { standardDeviation } from '../../baseline/stats.ts';
import {
  after,
  attacker,
  block,
  frame,
  learningStart,
  type Position,
  Replay,
  random,
  traffic,
  transfer,
  tx,
  user,
  victim,
  wei,
} from '../testing.ts';
import type { Signal, WatchedView } from '../types.ts';
import { mintJumpRule as rule } from './mint-jump.ts';

// A bridged token (the watched `victim`): holders transfer and burn, the bridge mints to them now and then.
const token = victim;
const zero = '0x0000000000000000000000000000000000000000' as Address;
const bridge = '0x000000000000000000000000000000000000b41d' as Address;
const mintSelector = '0x40c10f19';
const call = (from: Address, selector: Hex, logs: Log[]) => tx(from, frame(from, token, { input: selector }), logs);
const send = (from: Address, to: Address, amount: bigint) =>
  call(from, '0xa9059cbb', [transfer(token, from, to, amount)]);
const burn = (from: Address, amount: bigint) => call(from, '0x42966c68', [transfer(token, from, zero, amount)]);
const mint = (from: Address, to: Address, amount: bigint) =>
  call(from, mintSelector, [transfer(token, zero, to, amount)]);

function tokenTraffic(seed: number, count: number, start: Position) {
  const rng = random(seed);
  return traffic(rng, count, start, () => {
    const from = user(1 + rng.int(40));
    const amount = wei(1_000 * Math.exp(rng.normal()));
    const kind = rng.next();
    if (kind < 0.75) return [send(from, user(1 + rng.int(40)), amount)];
    if (kind < 0.85) return [burn(from, amount)];
    return [mint(bridge, from, amount)];
  });
}

const supply = 10n ** 26n; // 100 million tokens
const learningBlocks = tokenTraffic(1, 600, learningStart);
const next = (offset = 0) => after(learningBlocks, 10, offset);
const one = (t: Tx) => [block(next().number, next().time, [t])];
const asToken: Partial<WatchedView> = { kind: 'token', name: 'Bridged' };
/** The learned token, its supply exactly `current` now. */
let base: Replay | undefined;
const learned = (current = supply) => {
  if (!base) {
    base = new Replay(rule);
    base.profile.supply = supply.toString();
    base.learn(learningBlocks);
  }
  const replay = base.fork();
  replay.profile.supply = current.toString();
  return replay;
};
const thresholdOf = (replay: Replay) => {
  const stats = replay.profile.mintPerTx;
  return Math.max(3 * stats.max, stats.mean + 6 * standardDeviation(stats), 1e6);
};
const fresh = '0x00000000000000000000000000000000000f7e54' as Address;

describe('mint-jump', () => {
  test('default: an unprotected mint of 10^30 to a fresh address', () => {
    const replay = learned();
    const signals = replay.run(one(mint(attacker, fresh, 10n ** 30n)), {}, asToken);
    expect(signals).toHaveLength(1);
    const [signal] = signals as [Signal];
    expect(signal).toMatchObject({
      ruleId: 'mint-jump',
      stage: 'impact',
      contract: token,
      actor: attacker,
      score: 0.8,
      severity: 'critical',
      details: {
        minted: 10n ** 30n,
        supplyBefore: supply,
        jump: 10_000,
        recipients: [{ to: fresh, amount: 10n ** 30n }],
        newRecipients: [fresh],
      },
    });
    expect(signal.summary).toContain('Bridged minted 1.00e+30 in one transaction');
    expect(signal.summary).toContain('to an address never seen before');
  });

  test('behavior: learned numbers are real: mints, supply and callers come from the traffic', () => {
    const replay = new Replay(rule);
    replay.profile.supply = supply.toString();
    replay.learn(learningBlocks);
    expect(replay.profile.mintPerTx.n).toBeGreaterThan(50);
    expect(BigInt(replay.profile.supply!)).not.toBe(supply);
    expect(Object.keys(replay.profile.callers)).toContain(user(1));
  });

  test('behavior: a mint beyond the learned size, to a known holder, then to a fresh address', () => {
    const threshold = thresholdOf(learned());
    const amount = BigInt(Math.floor(threshold * 1.5));
    const [known] = learned().run(one(mint(bridge, user(1), amount)), {}, asToken) as [Signal];
    expect(known.score).toBeCloseTo(0.35 + 0.35 * Math.log10(1.5), 3);
    expect(known.details).toMatchObject({ ratio: 1.5, newRecipients: [] });
    const [unknown] = learned().run(one(mint(bridge, fresh, amount)), {}, asToken) as [Signal];
    expect(unknown.score).toBeCloseTo(known.score + 0.1, 3);
  });

  test('behavior: silent at and just below the learned size threshold', () => {
    const threshold = thresholdOf(learned());
    const at = (ratio: number) =>
      learned().run(one(mint(bridge, user(1), BigInt(Math.floor(threshold * ratio)))), {}, asToken);
    expect(at(1)).toEqual([]);
    expect(at(0.99)).toEqual([]);
    expect(at(1.05)).toHaveLength(1);
  });

  test('behavior: a token that never minted is judged by its supply', () => {
    const fixed = () => {
      const replay = new Replay(rule);
      replay.profile.supply = supply.toString();
      replay.learn(tokenTraffic(4, 600, learningStart).filter((b) => b.transactions[0]!.input !== mintSelector));
      replay.profile.supply = supply.toString(); // burns lowered it: make the share exact
      return replay;
    };
    expect(fixed().profile.mintPerTx.n).toBe(0);
    const minting = (amount: bigint) => fixed().run(one(mint(attacker, user(1), amount)), {}, asToken);
    expect(minting(supply / 20n)).toEqual([]); // exactly 5%
    expect(minting((supply * 49n) / 1000n)).toEqual([]);
    const [signal] = minting((supply * 6n) / 100n) as [Signal];
    expect(signal.details).toMatchObject({ jump: 0.06, threshold: undefined, newRecipients: [] });
    expect(signal.score).toBeCloseTo(0.4 + (0.3 * Math.log(1.2)) / Math.log(10), 3);
  });

  test('behavior: burns in the same transaction are taken into account', () => {
    // 6% minted and 6% burnt again: the supply before was what it is now.
    const replay = new Replay(rule);
    replay.profile.supply = supply.toString();
    replay.learn(tokenTraffic(4, 600, learningStart).filter((b) => b.transactions[0]!.input !== mintSelector));
    replay.profile.supply = supply.toString();
    const amount = (supply * 6n) / 100n;
    const t = tx(attacker, frame(attacker, token, { input: mintSelector }), [
      transfer(token, zero, attacker, amount),
      transfer(token, attacker, zero, amount),
    ]);
    const [signal] = replay.run(one(t), {}, asToken) as [Signal];
    expect(signal.details).toMatchObject({ supplyBefore: supply, jump: 0.06 });
  });

  test('behavior: only tokens are judged', () => {
    expect(learned().run(one(mint(attacker, fresh, 10n ** 30n)))).toEqual([]);
  });

  test('behavior: days of varied benign traffic raise nothing', () => {
    const replay = learned();
    expect(replay.run(tokenTraffic(2, 800, next()), {}, asToken)).toEqual([]);
    expect(replay.run(tokenTraffic(3, 800, next(200_000)), {}, asToken)).toEqual([]);
  });

  test('behavior: silent without a profile or with too few learned transactions', () => {
    const huge = () => one(mint(attacker, fresh, 10n ** 30n));
    expect(learned().run(huge(), {}, { ...asToken, profile: undefined })).toEqual([]);
    expect(new Replay(rule).run(huge(), {}, asToken)).toEqual([]);
    const young = () => {
      const replay = new Replay(rule);
      replay.profile.supply = supply.toString();
      return replay.learn(learningBlocks.slice(0, 20));
    };
    expect(young().profile.txs).toBe(20);
    expect(young().run(huge(), {}, asToken)).toEqual([]);
    expect(young().run(huge(), { minSamples: 20 }, asToken)).toHaveLength(1);
  });

  test('behavior: parameters override the thresholds', () => {
    const threshold = thresholdOf(learned());
    const amount = BigInt(Math.floor(threshold * 2));
    const run = (parameters: Record<string, number>) =>
      learned().run(one(mint(bridge, user(1), amount)), parameters, asToken);
    expect(run({})).toHaveLength(1);
    expect(run({ maxMultiple: 7 })).toEqual([]);
    expect(run({ minMint: 1e30 })).toEqual([]);
    // Too few learned mints to judge the size, and 2× a large mint is under 5% of the supply.
    expect(run({ minMints: 10_000 })).toEqual([]);
    expect(run({ minMints: 10_000, supplyJump: 0.00001 })).toHaveLength(1);
  });
});
