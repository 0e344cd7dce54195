import type { Block } from '@bulwark/chain';
import {
  allRules,
  type BlockResult,
  CompositeScore,
  createEngine,
  type Engine,
  type EngineOptions,
  eventTopics,
  profileMetric,
  type Signal,
} from '@bulwark/monitor';
import {
  user as account,
  after,
  block,
  deposit,
  ether,
  frame,
  learningStart,
  log,
  attacker as prober,
  random,
  tx,
  vaultTraffic,
  victim,
  wei,
  withdraw,
} from '@bulwark/monitor/rules/testing';
import { claimKey, finishClaim, getBaseline, withTransaction } from '@bulwark/store';
import { describeStore } from '@bulwark/store/testing';
import { expect, test } from 'vitest';
import { liveStateMetric } from './partitionLive.ts';
import { createPartitionProfiles } from './partitionProfiles.ts';
import { compositeMetric, createPartitionMemory } from './partitionState.ts';

const chainId = 31337;
const vault = '0x000000000000000000000000000000000000b0b0' as const;
const other = '0x000000000000000000000000000000000000c0c0';
const attacker = '0x0000000000000000000000000000000000000007';
const user = '0x000000000000000000000000000000000000e001' as const;

const signal = (ruleId: string, stage: Signal['stage'], score: number): Signal => ({
  ruleId,
  stage,
  contract: vault,
  score,
  severity: 'high',
  title: ruleId,
  summary: `${ruleId} fired`,
  details: {},
});

/** A detect worker's engine for the partition's contracts (no rules: the test puts signals in itself). */
const engine = (learningDelayBlocks?: number): Engine =>
  createEngine({
    chainId,
    contracts: [
      { address: vault, name: 'Vault', kind: 'vault' },
      { address: other, name: 'Other', kind: 'other' },
    ],
    rules: [],
    learningDelayBlocks,
  });

/** The first half of an attack as a worker's engine holds it: a preparation signal from block 100. */
function firstHalf(into: Engine): void {
  const composite = new CompositeScore();
  composite.add(100n, [signal('flash-loan', 'preparation', 0.4)], [attacker]);
  into.restoreCompositeMemory(vault, composite.memory(vault));
}

/** Whether the second half (an impact signal at block 103) pauses on top of what `memory` holds. */
function pausesWith(memory: ReturnType<Engine['compositeMemory']>): boolean {
  const composite = new CompositeScore();
  composite.restore(vault, JSON.parse(JSON.stringify(memory)));
  return composite.add(103n, [signal('tvl-drop', 'impact', 0.6)], [attacker])[0]!.pause;
}

/** Block `n`: one call from a user into the vault; the other contract is not touched. */
const vaultBlock = (n: number) =>
  block(n, 1_700_000_000 + n * 12, [tx(user, frame(user, vault, { input: '0xd0e30db0' }))]);
const savedAt = async (store: Parameters<typeof getBaseline>[0], address: string) =>
  (await getBaseline(store, { chainId, address, ...profileMetric }))?.version;

describeStore('detect partition memory', (ctx) => {
  test('behavior: the composite signals saved in the partition transaction are loaded by the worker taking over', async () => {
    const workerA = engine();
    firstHalf(workerA);
    const memoryA = createPartitionMemory(chainId, 0, [vault, other]);
    await withTransaction(ctx.store, (tx) => memoryA.save(tx, workerA));

    const workerB = engine();
    expect(pausesWith(workerB.compositeMemory(vault))).toBe(false);
    await createPartitionMemory(chainId, 0, [vault, other]).load(ctx.store, workerB);
    expect(workerB.compositeMemory(vault)).toHaveLength(1);
    expect(pausesWith(workerB.compositeMemory(vault))).toBe(true);
    expect(workerB.compositeMemory(other)).toEqual([]);
  });

  test('behavior: a pause respond finished resets the score once, and the worker after it knows it was heard', async () => {
    const key = `pause:${chainId}:${vault}:100`;
    const worker = engine();
    const memory = createPartitionMemory(chainId, 0, [vault, other]);
    await memory.load(ctx.store, worker);
    firstHalf(worker);
    // A suggestion (no automatic pause) leaves the score alone.
    await claimKey(ctx.store, { key: `pause:${chainId}:${vault}:90`, owner: 'respond-1', staleAfterMs: 60_000 });
    await finishClaim(ctx.store, { key: `pause:${chainId}:${vault}:90`, owner: 'respond-1', outcome: 'suggested' });
    // Claimed, not finished: not yet sent.
    await claimKey(ctx.store, { key, owner: 'respond-1', staleAfterMs: 60_000 });
    expect(await memory.hearPauses(ctx.store, worker)).toEqual([]);
    expect(worker.compositeMemory(vault)).toHaveLength(1);

    await finishClaim(ctx.store, { key, owner: 'respond-1', outcome: 'sent' });
    expect(await memory.hearPauses(ctx.store, worker)).toEqual([vault]);
    expect(worker.compositeMemory(vault)).toEqual([]);
    // A new signal after the pause counts; the same pause is not heard twice.
    firstHalf(worker);
    expect(await memory.hearPauses(ctx.store, worker)).toEqual([]);
    expect(worker.compositeMemory(vault)).toHaveLength(1);
    await withTransaction(ctx.store, (tx) => memory.save(tx, worker));

    // Another chain's pause of the same address is not this partition's.
    await claimKey(ctx.store, { key: `pause:1:${vault}:5`, owner: 'respond-1', staleAfterMs: 60_000 });
    await finishClaim(ctx.store, { key: `pause:1:${vault}:5`, owner: 'respond-1', outcome: 'sent' });
    const next = engine();
    const nextMemory = createPartitionMemory(chainId, 0, [vault, other]);
    await nextMemory.load(ctx.store, next);
    expect(await nextMemory.hearPauses(ctx.store, next)).toEqual([]);
    expect(next.compositeMemory(vault)).toHaveLength(1);
  });

  test('behavior: an Unpaused log of a contract whose pause was heard resets its score once, as the single process does', async () => {
    const key = `pause:${chainId}:${vault}:200`;
    const unpauseBlock = (n: number) =>
      block(n, 1_700_000_000 + n * 12, [
        tx(user, frame(user, vault, { input: '0x3f4ba83a' }), [log(vault, [eventTopics.Unpaused])]),
      ]);
    // A database of its own: the other tests' pauses are not this one's.
    const store = await ctx.open();
    const worker = engine();
    const memory = createPartitionMemory(chainId, 0, [vault, other]);
    await memory.load(store, worker);
    // No pause heard: an unpause (someone else's pause) changes nothing.
    firstHalf(worker);
    expect(memory.hearUnpauses(unpauseBlock(201), worker)).toEqual([]);
    expect(worker.compositeMemory(vault)).toHaveLength(1);

    await claimKey(store, { key, owner: 'respond-1', staleAfterMs: 60_000 });
    await finishClaim(store, { key, owner: 'respond-1', outcome: 'sent' });
    expect(await memory.hearPauses(store, worker)).toEqual([vault]);
    // Signals gathered while paused (calls failing on the paused vault).
    firstHalf(worker);
    await withTransaction(store, (tx) => memory.save(tx, worker));

    // The worker taking over knows the pause is held, and the admin's unpause resets the score once.
    const next = engine();
    const nextMemory = createPartitionMemory(chainId, 0, [vault, other]);
    await nextMemory.load(store, next);
    expect(next.compositeMemory(vault)).toHaveLength(1);
    expect(nextMemory.hearUnpauses(unpauseBlock(202), next)).toEqual([vault]);
    expect(next.compositeMemory(vault)).toEqual([]);
    firstHalf(next);
    expect(nextMemory.hearUnpauses(unpauseBlock(203), next)).toEqual([]);
    expect(next.compositeMemory(vault)).toHaveLength(1);
  });

  test('behavior: a composite row the block did not change is not written again', async () => {
    const worker = engine();
    firstHalf(worker);
    const memory = createPartitionMemory(chainId, 0, [vault, other]);
    const version = async (address: string) =>
      (await getBaseline(ctx.store, { chainId, address, ...compositeMetric }))?.version;
    await withTransaction(ctx.store, (tx) => memory.save(tx, worker));
    const [vaultVersion, otherVersion] = [await version(vault), await version(other)];
    await withTransaction(ctx.store, (tx) => memory.save(tx, worker));
    expect([await version(vault), await version(other)]).toEqual([vaultVersion, otherVersion]);
    // Signals carry amounts as bigints in their details: compared and saved as the store writes them.
    const composite = new CompositeScore();
    composite.add(101n, [{ ...signal('tvl-drop', 'impact', 0.6), details: { amount: 10n ** 21n } }], [attacker]);
    worker.restoreCompositeMemory(vault, composite.memory(vault));
    await withTransaction(ctx.store, (tx) => memory.save(tx, worker));
    expect([await version(vault), await version(other)]).toEqual([vaultVersion! + 1, otherVersion]);
  });

  test('behavior: a block rewrites only the profiles it changed; a worker taking over has every profile exactly', async () => {
    const workerA = engine(0);
    const profilesA = createPartitionProfiles(chainId, 0, [vault, other]);
    workerA.process(vaultBlock(10));
    // The first save writes both (nothing was saved before).
    expect((await withTransaction(ctx.store, (tx) => profilesA.save(tx, workerA))).sort()).toEqual([vault, other]);
    const otherVersion = await savedAt(ctx.store, other);
    for (const n of [11, 12, 13]) {
      workerA.process(vaultBlock(n));
      expect(await withTransaction(ctx.store, (tx) => profilesA.save(tx, workerA))).toEqual([vault]);
    }
    // The untouched contract's row was not rewritten, though its block counters moved.
    expect(await savedAt(ctx.store, other)).toBe(otherVersion);
    expect(workerA.profile(other).blocks).toBe(4);

    // Worker A dies; worker B loads the partition and continues from exactly the same profiles.
    const workerB = engine(0);
    const profilesB = createPartitionProfiles(chainId, 0, [vault, other]);
    expect(await profilesB.load(ctx.store, workerB, [vault, other])).toBe(2);
    expect(workerB.profiles()).toEqual(workerA.profiles());
    // (Transactions still waiting to be learned, `learningDelayBlocks`, live in the engine only: not compared past here.)
    workerB.process(vaultBlock(14));
    expect(workerB.profile(other)).toEqual({
      ...workerA.profile(other),
      blocks: 5,
      toBlock: '14',
      toTime: workerB.profile(other).toTime,
    });
    // Loaded rows count as written: block 14 taught B nothing yet (its call waits to be learned), so
    // no profile row is written, and the counters still move on for the next worker.
    expect(await withTransaction(ctx.store, (tx) => profilesB.save(tx, workerB))).toEqual([]);
    const workerC = engine(0);
    await createPartitionProfiles(chainId, 0, [vault, other]).load(ctx.store, workerC, [vault, other]);
    expect(workerC.profiles()).toEqual(workerB.profiles());
    expect(workerC.profile(vault)).toMatchObject({ blocks: 5, toBlock: '14' });
  });
});

/*
 * Takeover exactness with the real rules: a vault learned from random traffic, then live blocks in
 * a row (12 s apart) in which one account withdraws a little in every block and probes with calls
 * that fail. The worker is replaced in the middle of that, with transactions still waiting to be
 * learned (`learningDelayBlocks`) and the live windows full of the account's steps.
 */
const takeoverOptions: EngineOptions = {
  chainId,
  contracts: [
    { address: victim, name: 'Vault', kind: 'vault' },
    { address: other, name: 'Other', kind: 'other' },
  ],
  rules: allRules,
  learningDelayBlocks: 8,
  warmUp: { blocks: 10, txs: 10 },
};

function liveBlocks(start: { number: number; time: number }, count: number): Block[] {
  const rng = random(7);
  const blocks: Block[] = [];
  for (let i = 0; i < count; i++) {
    const number = start.number + i;
    const from = account(1 + rng.int(40));
    const txs = [
      rng.next() < 0.5 ? deposit(from, wei(Math.exp(rng.normal()))) : withdraw(from, wei(Math.exp(rng.normal()))),
    ];
    if (i >= 6) txs.push(withdraw(prober, wei(0.4)));
    if (i >= 10 && i % 2 === 0)
      txs.push(tx(prober, frame(prober, victim, { input: '0x3ccfd60b', error: 'execution reverted' })));
    blocks.push(block(number, start.time + i * 12, txs));
  }
  return blocks;
}

/** What a block's result decides: each flagged transaction's signals and verdicts, exactly. */
const decisions = (result: BlockResult) =>
  result.flagged.map((flagged) => ({
    tx: flagged.tx.hash,
    signals: flagged.signals.map((signal) => [signal.ruleId, signal.contract, signal.score, signal.severity]),
    verdicts: flagged.verdicts.map((verdict) => [verdict.contract, verdict.score, verdict.pause, verdict.heldBack]),
  }));

const takeoverEngine = (): Engine => {
  const engine = createEngine(takeoverOptions);
  engine.setBalance(victim, 'native', 10_000n * ether);
  return engine;
};

describeStore('detect partition takeover', (ctx) => {
  const backfill = vaultTraffic(3, 200, learningStart);
  const live = liveBlocks(after(backfill, 1), 40);
  const takeoverAt = 20;

  test('behavior: a worker taking over mid-learning and mid-window decides every block as an uninterrupted worker', async () => {
    const uninterrupted = takeoverEngine();
    for (const b of backfill) uninterrupted.learn(b);
    const expected = live.map((b) => decisions(uninterrupted.process(b)));

    // Worker A judges the first blocks and saves the partition, as detect does after each block.
    const workerA = takeoverEngine();
    for (const b of backfill) workerA.learn(b);
    const profilesA = createPartitionProfiles(chainId, 0, [victim, other]);
    const memoryA = createPartitionMemory(chainId, 0, [victim, other]);
    for (const b of live.slice(0, takeoverAt)) {
      expect(decisions(workerA.process(b))).toEqual(expected[live.indexOf(b)]);
      await withTransaction(ctx.store, async (tx) => {
        await profilesA.save(tx, workerA);
        await memoryA.save(tx, workerA);
      });
    }
    // Mid-learning and mid-window: the test would prove nothing otherwise.
    expect(workerA.learning().waiting).toBeGreaterThan(0);
    expect(workerA.liveState(victim).live.totals['1h'].txs).toBeGreaterThan(0);

    // Worker A dies; worker B starts from the store only.
    const workerB = createEngine(takeoverOptions);
    await createPartitionProfiles(chainId, 0, [victim, other]).load(ctx.store, workerB, [victim, other]);
    await createPartitionMemory(chainId, 0, [victim, other]).load(ctx.store, workerB);
    expect(workerB.liveState(victim)).toEqual(workerA.liveState(victim));
    expect(workerB.sharedState()).toEqual(workerA.sharedState());
    expect(workerB.learning()).toEqual(workerA.learning());
    const judged = live.slice(takeoverAt).map((b) => decisions(workerB.process(b)));
    expect(judged).toEqual(expected.slice(takeoverAt));
    expect(workerB.profiles()).toEqual(uninterrupted.profiles());
    // The blocks after the takeover raise signals (the prober's steps), so there was something to get right.
    expect(judged.flat().length).toBeGreaterThan(0);

    // Without the live state (profiles and composite memory only, as before), the decisions differ.
    const forgetful = createEngine(takeoverOptions);
    await createPartitionProfiles(chainId, 0, [victim, other]).load(ctx.store, forgetful, [victim, other]);
    for (const address of [victim, other]) forgetful.restoreCompositeMemory(address, workerA.compositeMemory(address));
    expect(live.slice(takeoverAt).map((b) => decisions(forgetful.process(b)))).not.toEqual(expected.slice(takeoverAt));
    // and what waited to be learned at the takeover is lost.
    expect(forgetful.profile(victim)).not.toEqual(uninterrupted.profile(victim));
  });

  test('behavior: a block that leaves a contract untouched does not rewrite its live state', async () => {
    const worker = takeoverEngine();
    const memory = createPartitionMemory(chainId, 0, [victim, other]);
    const version = async (address: string) =>
      (await getBaseline(ctx.store, { chainId, address, ...liveStateMetric }))?.version;
    worker.process(live[0]!);
    await withTransaction(ctx.store, (tx) => memory.save(tx, worker));
    const [victimVersion, otherVersion] = [await version(victim), await version(other)];
    worker.process(live[1]!);
    await withTransaction(ctx.store, (tx) => memory.save(tx, worker));
    expect([await version(victim), await version(other)]).toEqual([victimVersion! + 1, otherVersion]);
  });
});
