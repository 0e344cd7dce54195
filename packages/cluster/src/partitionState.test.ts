import { CompositeScore, createEngine, type Engine, type Signal } from '@bulwark/monitor';
import { claimKey, finishClaim, withTransaction } from '@bulwark/store';
import { describeStore } from '@bulwark/store/testing';
import { expect, test } from 'vitest';
import { createPartitionMemory } from './partitionState.ts';

const chainId = 31337;
const vault = '0x000000000000000000000000000000000000b0b0';
const other = '0x000000000000000000000000000000000000c0c0';
const attacker = '0x0000000000000000000000000000000000000007';

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
const engine = (): Engine =>
  createEngine({
    chainId,
    contracts: [
      { address: vault, name: 'Vault', kind: 'vault' },
      { address: other, name: 'Other', kind: 'other' },
    ],
    rules: [],
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

describeStore('detect partition memory', (ctx) => {
  test('behavior: the composite signals saved in the partition transaction are loaded by the worker taking over', async () => {
    const workerA = engine();
    firstHalf(workerA);
    const memoryA = createPartitionMemory(chainId, [vault, other]);
    await withTransaction(ctx.store, (tx) => memoryA.save(tx, workerA));

    const workerB = engine();
    expect(pausesWith(workerB.compositeMemory(vault))).toBe(false);
    await createPartitionMemory(chainId, [vault, other]).load(ctx.store, workerB);
    expect(workerB.compositeMemory(vault)).toHaveLength(1);
    expect(pausesWith(workerB.compositeMemory(vault))).toBe(true);
    expect(workerB.compositeMemory(other)).toEqual([]);
  });

  test('behavior: a pause respond finished resets the score once, and the worker after it knows it was heard', async () => {
    const key = `pause:${chainId}:${vault}:100`;
    const worker = engine();
    const memory = createPartitionMemory(chainId, [vault, other]);
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
    const nextMemory = createPartitionMemory(chainId, [vault, other]);
    await nextMemory.load(ctx.store, next);
    expect(await nextMemory.hearPauses(ctx.store, next)).toEqual([]);
    expect(next.compositeMemory(vault)).toHaveLength(1);
  });
});
