import { createEngine, type Engine, profileMetric } from '@bulwark/monitor';
import { block, frame, tx } from '@bulwark/monitor/rules/testing';
import { getBaseline, withTransaction } from '@bulwark/store';
import { describeStore } from '@bulwark/store/testing';
import { expect, test } from 'vitest';
import { createPartitionProfiles } from './partitionProfiles.ts';

const chainId = 31337;
const vault = '0x000000000000000000000000000000000000b0b0' as const;
const other = '0x000000000000000000000000000000000000c0c0';
const user = '0x000000000000000000000000000000000000e001' as const;

/** A detect worker's engine for the partition's two contracts, learning every block it is given. */
const engine = (): Engine =>
  createEngine({
    chainId,
    contracts: [
      { address: vault, name: 'Vault', kind: 'vault' },
      { address: other, name: 'Other', kind: 'other' },
    ],
    rules: [],
    learningDelayBlocks: 0,
  });
/** Block `n`: one call from a user into the vault; the other contract is not touched. */
const vaultBlock = (n: number) =>
  block(n, 1_700_000_000 + n * 12, [tx(user, frame(user, vault, { input: '0xd0e30db0' }))]);
const savedAt = async (store: Parameters<typeof getBaseline>[0], address: string) =>
  (await getBaseline(store, { chainId, address, ...profileMetric }))?.version;

describeStore('detect partition profiles', (ctx) => {
  test('behavior: a block rewrites only the profiles it changed; a worker taking over has every profile exactly', async () => {
    const workerA = engine();
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
    const workerB = engine();
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
    const workerC = engine();
    await createPartitionProfiles(chainId, 0, [vault, other]).load(ctx.store, workerC, [vault, other]);
    expect(workerC.profiles()).toEqual(workerB.profiles());
    expect(workerC.profile(vault)).toMatchObject({ blocks: 5, toBlock: '14' });
  });
});
