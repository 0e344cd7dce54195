import { createChainSync, createMemoryCheckpointStore } from '@bulwark/chain';
import { setCheckpoint } from '@bulwark/store';
import { describeStore } from '@bulwark/store/testing';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestNode, type TestNode } from '../../../../chain/src/testing.ts';
import { emptyProfile } from '../../baseline/profile.ts';
import { createEngine } from '../../engine/engine.ts';
import { learnBaselines, planStart, warmUpRange } from './ingest.ts';

const vault = '0x00000000000000000000000000000000000000aa';
const pool = '0x00000000000000000000000000000000000000bb';

const engineWith = (profiles: Parameters<typeof createEngine>[0]['profiles'] = []) =>
  createEngine({
    chainId: 31337,
    contracts: [
      { address: vault, name: 'Vault', kind: 'vault' },
      { address: pool, name: 'Pool', kind: 'pool' },
    ],
    rules: [],
    profiles,
  });

const learnedTo = (address: string, toBlock: number) =>
  Object.assign(emptyProfile(31337, address), { blocks: 10, fromBlock: '1', toBlock: String(toBlock) });

describeStore('ingest stage', (ctx) => {
  let node: TestNode;
  let chainId = 31337;
  beforeAll(async () => {
    node = await startTestNode();
    await node.mine(30);
  });
  afterAll(async () => {
    await node?.stop();
  });
  const syncOf = (id = 31337) =>
    createChainSync({ chainId: id, endpoints: [node.anvil.rpcUrl], checkpointStore: createMemoryCheckpointStore() });

  test('default: without a cursor or a start block, evaluation starts after the newest confirmed block', async () => {
    const head = await node.blockNumber();
    expect(await planStart(ctx.store, syncOf(), { chainId })).toEqual({
      cursor: undefined,
      firstBlock: head + 1n,
      head,
    });
    expect(await planStart(ctx.store, syncOf(), { chainId, confirmations: 2 })).toMatchObject({
      firstBlock: head - 1n,
    });
  });

  test('behavior: a start block, then a cursor, decide where evaluation starts', async () => {
    chainId = 4242;
    expect(await planStart(ctx.store, syncOf(), { chainId, startBlock: 7n })).toMatchObject({
      cursor: undefined,
      firstBlock: 7n,
    });
    await setCheckpoint(ctx.store, { chainId, blockNumber: 12n, blockHash: `0x${'ab'.repeat(32)}` });
    // The cursor wins over the start block: the blocks after it are evaluated, not skipped to the head.
    expect(await planStart(ctx.store, syncOf(), { chainId, startBlock: 7n })).toMatchObject({
      cursor: 12n,
      firstBlock: 13n,
    });
  });

  test('behavior: learning stops before the first evaluated block, and only runs for contracts without a profile', async () => {
    const head = await node.blockNumber();
    const engine = engineWith();
    const plan = { cursor: undefined, firstBlock: 20n, head };
    expect(await learnBaselines(syncOf(), engine, { plan, learnBlocks: 5n, log: () => {} })).toEqual({
      from: 15n,
      to: 19n,
    });
    expect(engine.profile(vault)).toMatchObject({ blocks: 5, fromBlock: '15', toBlock: '19' });
    // Only the contract without a profile learns: the pool's stays as it was.
    const mixed = engineWith([learnedTo(pool, 19)]);
    await learnBaselines(syncOf(), mixed, { plan, learnBlocks: 5n, log: () => {} });
    expect(mixed.profile(vault)).toMatchObject({ blocks: 5, toBlock: '19' });
    expect(mixed.profile(pool)).toEqual(learnedTo(pool, 19));
    const learned = engineWith([learnedTo(vault, 19), learnedTo(pool, 19)]);
    expect(await learnBaselines(syncOf(), learned, { plan, learnBlocks: 5n, log: () => {} })).toBeUndefined();
    // A start block ahead of the chain: learning goes up to the head.
    const ahead = { cursor: undefined, firstBlock: head + 50n, head };
    expect(await learnBaselines(syncOf(), engineWith(), { plan: ahead, learnBlocks: 3n, log: () => {} })).toEqual({
      from: head - 2n,
      to: head,
    });
  });

  test('behavior: after a restart, the blocks between the oldest saved profile and the cursor are replayed', () => {
    const engine = engineWith([learnedTo(vault, 95), learnedTo(pool, 98)]);
    expect(warmUpRange(engine, 100n, 200n)).toEqual({ from: 96n, to: 100n });
    expect(warmUpRange(engine, 100n, 3n)).toEqual({ from: 98n, to: 100n });
    expect(warmUpRange(engine, 95n, 200n)).toBeUndefined();
    expect(warmUpRange(engine, undefined, 200n)).toBeUndefined();
    expect(warmUpRange(engineWith(), 100n, 200n)).toBeUndefined();
  });
});
