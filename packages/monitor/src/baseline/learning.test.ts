import type { Tx } from '@bulwark/chain';
import { describe, expect, test } from 'vitest';
import {
  attacker,
  callFrame,
  deposit,
  ether,
  eventsOf,
  exploit,
  frame,
  testWatched,
  tx,
  user,
  victim,
  withdraw,
} from '../rules/testing.ts';
import { defaultDecay } from './decay.ts';
import { flaggedAccounts, Learning, type LearningTarget, linkedAccounts } from './learning.ts';
import { contributions, emptyProfile, WindowTracker } from './profile.ts';

const watched = new Set<string>([victim]);
const target = (): LearningTarget => ({ profile: emptyProfile(1, victim), clean: new WindowTracker() });
const learning = () => new Learning({ delayBlocks: 5, decay: { ...defaultDecay, halfLifeSeconds: Infinity } });

/** Defers `t` (in block `block`) for the victim, linked as the engine links it. */
function defer(learner: Learning, into: LearningTarget, block: number, t: Tx): void {
  const events = eventsOf(t, [testWatched()]);
  const contribution = contributions(t, events).get(victim)!;
  learner.defer(
    { target: into, block: BigInt(block), time: 1_700_000_000 + block * 12, tx: t, contribution, priceMove: undefined },
    linkedAccounts(t, events, watched),
  );
}

describe('Learning', () => {
  test('default: a deferred transaction is learned once its wait is over', () => {
    const learner = learning();
    const vault = target();
    defer(learner, vault, 10, deposit(user(1), ether));
    learner.release(14n);
    expect(vault.profile.txs).toBe(0);
    expect(learner.counts()).toEqual({ learned: 0, flagged: 0, dropped: 0, waiting: 1 });
    learner.release(15n);
    expect(vault.profile.txs).toBe(1);
    expect(vault.profile.callers).toEqual({ [user(1)]: 1 });
    expect(learner.counts()).toEqual({ learned: 1, flagged: 0, dropped: 0, waiting: 0 });
  });

  test('behavior: dropped when its sender or a contract on its path is flagged within the wait, before or after it', () => {
    const learner = learning();
    const vault = target();
    defer(learner, vault, 10, deposit(attacker, ether));
    defer(learner, vault, 10, tx(user(2), callFrame(user(2), exploit, { calls: [callFrame(exploit, victim)] })));
    defer(learner, vault, 10, deposit(user(3), ether));
    // Flagged two blocks later: the attacker, and the contract it attacked through.
    learner.flag(12n, flaggedAccounts(deposit(attacker, 0n), [], [exploit]), 1);
    // Flagged as many blocks before a transaction as the wait: still linked.
    defer(learner, vault, 17, deposit(attacker, ether));
    // Long after: learned again.
    defer(learner, vault, 30, deposit(attacker, 2n * ether));
    learner.release(40n);
    expect(vault.profile.callers).toEqual({ [user(3)]: 1, [attacker]: 1 });
    expect(vault.profile.assets.native!.inflowPerTx).toMatchObject({ n: 2, max: 2e18 });
    expect(learner.counts()).toEqual({ learned: 2, flagged: 1, dropped: 3, waiting: 0 });
  });

  test('behavior: window maxima are learned from learned transactions only', () => {
    const learner = learning();
    const vault = target();
    defer(learner, vault, 10, withdraw(user(1), ether));
    defer(learner, vault, 10, withdraw(attacker, 50n * ether));
    defer(learner, vault, 11, withdraw(user(2), 2n * ether));
    learner.flag(11n, [attacker], 0);
    learner.release(20n);
    expect(vault.profile.assets.native!.outflowWindowMax).toEqual({ '1b': 2e18, '5m': 3e18, '1h': 3e18, '24h': 3e18 });
  });

  test('behavior: learnNow learns at once, decayed to the transaction time', () => {
    const learner = new Learning({ delayBlocks: 5, decay: { halfLifeSeconds: 60, maxGapSeconds: 86_400 } });
    const vault = target();
    const withdrawal = (t: Tx, block: number) => ({
      target: vault,
      block: BigInt(block),
      time: block * 12,
      tx: t,
      contribution: contributions(t, eventsOf(t, [testWatched()])).get(victim)!,
      priceMove: undefined,
    });
    learner.learnNow(withdrawal(withdraw(user(1), 8n * ether), 10));
    // Two minutes later: two half-lives.
    learner.learnNow(withdrawal(withdraw(user(2), ether), 20));
    const stats = vault.profile.assets.native!.outflowPerTx;
    expect(stats).toMatchObject({ n: 2, max: 2e18, weight: 1.25 });
    // The weighted mean: (8 × 0.25 + 1) / 1.25.
    expect(stats.mean / 2.4e18).toBeCloseTo(1, 12);
  });
});

describe('linkedAccounts', () => {
  test('default: the sender and every account on the path, watched contracts left out', () => {
    const router = user(50);
    const t = tx(
      user(1),
      frame(user(1), router, { calls: [frame(router, victim), frame(router, exploit, { type: 'CREATE' })] }),
    );
    const events = eventsOf(t, [testWatched()]);
    expect(linkedAccounts(t, events, watched).sort()).toEqual([user(1), router, exploit].sort());
  });

  test('behavior: without a trace, the sender and the target', () => {
    const t = { ...deposit(user(1), ether), trace: undefined, to: exploit };
    expect(linkedAccounts(t, [], watched)).toEqual([user(1), exploit]);
  });
});
