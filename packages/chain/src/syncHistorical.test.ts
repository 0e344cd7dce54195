import type { Hex } from 'viem';
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import { createCapabilityTracker } from './capabilities.ts';
import { createChainSync, createMemoryCheckpointStore } from './createChainSync.ts';
import { ChainReorgedError } from './errors.ts';
import { createRpcPool } from './rpcPool.ts';
import { syncHistorical } from './syncHistorical.ts';
import { blocksOf, collect, describeEvent, startTestNode, type TestNode } from './testing.ts';
import type { Block, ChainEvent, Checkpoint } from './types.ts';

let node: TestNode;
let snapshot: Hex;
const chainId = 31337;

beforeAll(async () => {
  // Mined by hand: with automine, anvil sometimes puts two quick transactions in one block.
  node = await startTestNode({ noMining: true });
  // Thirty blocks with a transfer each.
  for (let i = 0; i < 30; i++) {
    await node.rpc('eth_sendTransaction', [{ from: node.accounts[i % 5], to: node.accounts[9], value: '0x1' }]);
    await node.mine();
  }
  expect(await node.blockNumber()).toBe(30n);
  snapshot = await node.snapshot();
});

beforeEach(async () => {
  await node.revert(snapshot);
  snapshot = await node.snapshot();
});

afterAll(async () => {
  await node?.stop();
});

const numbers = (events: ChainEvent[]) => blocksOf(events).map((block) => block.number);
const range = (from: bigint, to: bigint) => Array.from({ length: Number(to - from + 1n) }, (_, i) => from + BigInt(i));

test('default: a backfill yields every block of the range in order, fetched a few at a time', async () => {
  const pool = createRpcPool({ endpoints: [node.anvil.rpcUrl] });
  const blocks: Block[] = [];
  for await (const block of syncHistorical(pool, {
    chainId,
    from: 1n,
    to: 30n,
    concurrency: 6,
    capabilities: createCapabilityTracker(),
  })) {
    blocks.push(block);
  }
  expect(blocks.map((block) => block.number)).toEqual(range(1n, 30n));
  for (const block of blocks) {
    expect(block.transactions).toHaveLength(1);
    expect(block.transactions[0]!.trace?.type).toBe('CALL');
  }
  for (let i = 1; i < blocks.length; i++) expect(blocks[i]!.parentHash).toBe(blocks[i - 1]!.hash);

  const sync = createChainSync({
    chainId,
    endpoints: [node.anvil.rpcUrl],
    checkpointStore: createMemoryCheckpointStore(),
  });
  const viaSync: bigint[] = [];
  for await (const block of sync.backfill(28n, 30n)) viaSync.push(block.number);
  expect(viaSync).toEqual([28n, 29n, 30n]);
});

test('error: a bad range, a range beyond the head, a parent that does not match', async () => {
  const pool = createRpcPool({ endpoints: [node.anvil.rpcUrl] });
  const capabilities = createCapabilityTracker();
  const drain = async (blocks: AsyncIterable<Block>) => {
    for await (const _ of blocks);
  };
  await expect(drain(syncHistorical(pool, { chainId, from: 5n, to: 4n, capabilities }))).rejects.toThrow(
    /^Invalid block range 5\.\.4\.\nDetails: `from` must be at least 0 and at most `to`\./,
  );
  const sync = createChainSync({
    chainId,
    endpoints: [node.anvil.rpcUrl],
    checkpointStore: createMemoryCheckpointStore(),
  });
  await expect(drain(sync.backfill(1n, 1_000n))).rejects.toThrow(
    /Cannot backfill to block 1000: the head of chain 31337 is 30\./,
  );
  const wrongParent = { number: 9n, hash: `0x${'11'.repeat(32)}` as Hex };
  const error = await drain(
    syncHistorical(pool, { chainId, from: 10n, to: 12n, parent: wrongParent, capabilities }),
  ).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ChainReorgedError);
  expect((error as ChainReorgedError).number).toBe(10n);
});

test('behavior: after downtime the sync resumes from the checkpoint: no block missing, none twice', async () => {
  const store = createMemoryCheckpointStore();
  const parameters = { chainId, endpoints: [node.anvil.rpcUrl], checkpointStore: store, pollingIntervalMs: 100 };

  // First run: from block 25 to the head (30).
  const first = createChainSync({ ...parameters, startBlock: 25n });
  const firstStream = collect(first.events());
  await first.start();
  await firstStream.until((events) => numbers(events).includes(30n));
  await first.stop();
  await firstStream.done;
  expect(numbers(firstStream.events)).toEqual(range(25n, 30n));
  const block30 = blocksOf(firstStream.events).at(-1)!;
  expect(store.checkpoints.get(chainId)).toEqual({
    number: 30n,
    hash: block30.hash,
    ancestors: blocksOf(firstStream.events)
      .slice(0, -1)
      .reverse()
      .map((block) => block.hash),
  });

  // Twenty blocks while it is down.
  await node.mine(20);

  const second = createChainSync({ ...parameters, startBlock: 0n });
  const secondStream = collect(second.events());
  await second.start();
  await secondStream.until((events) => numbers(events).includes(50n));
  await node.mine(1);
  const events = await secondStream.until((events) => numbers(events).includes(51n));
  await second.stop();
  await secondStream.done;
  expect(events.map(describeEvent)).toEqual([
    ...range(31n, 50n).map((n) => `block ${n}`),
    'gap-filled 31..50',
    'block 51',
  ]);
  expect(blocksOf(events)[0]!.parentHash).toBe(block30.hash);
  expect(store.checkpoints.get(chainId)?.number).toBe(51n);
});

test('behavior: the checkpoint is written once the consumer has processed a block, not when it is handed over', async () => {
  const writes: Checkpoint[] = [];
  const store = createMemoryCheckpointStore({ [chainId]: { number: 27n, hash: await hashOf(27n) } });
  const checkpointStore = {
    get: store.get,
    set: async (id: number, checkpoint: Checkpoint) => {
      writes.push(checkpoint);
      await store.set(id, checkpoint);
    },
  };
  const sync = createChainSync({ chainId, endpoints: [node.anvil.rpcUrl], checkpointStore, pollingIntervalMs: 100 });
  await sync.start();
  const seen: bigint[] = [];
  for await (const event of sync.events()) {
    if (event.type !== 'block') continue;
    // While the consumer holds block N, the checkpoint is still N - 1.
    expect(writes.at(-1)?.number ?? 27n).toBe(event.block.number - 1n);
    seen.push(event.block.number);
    if (event.block.number === 30n) await sync.stop();
  }
  expect(seen).toEqual([28n, 29n, 30n]);
  expect(writes.map((write) => write.number)).toEqual([28n, 29n, 30n]);
});

test('behavior: a reorg during downtime is located from the hashes saved with the checkpoint', async () => {
  const ancestors = await Promise.all(range(20n, 29n).reverse().map(hashOf));
  const resume = async (checkpoint: Checkpoint) => {
    const store = createMemoryCheckpointStore({ [chainId]: checkpoint });
    const sync = createChainSync({
      chainId,
      endpoints: [node.anvil.rpcUrl],
      checkpointStore: store,
      pollingIntervalMs: 100,
    });
    const stream = collect(sync.events());
    await sync.start();
    const events = await stream.until((events) => numbers(events).includes(31n));
    await sync.stop();
    await stream.done;
    return events.filter((event) => event.type !== 'gap-filled');
  };
  const checkpoint = { number: 30n, hash: await hashOf(30n) };
  const [old29, ancestor28] = [await hashOf(29n), await hashOf(28n)];
  // Blocks 29 and 30 replaced while the sync was down, and one more on top.
  await node.rpc('anvil_reorg', [2, []]);
  await node.mine(1);

  const located = await resume({ ...checkpoint, ancestors });
  expect(located.map(describeEvent)).toEqual(['reorg 28 -[29,30]', 'block 29', 'block 30', 'block 31']);
  expect(located[0]).toMatchObject({
    commonAncestor: { number: 28n, hash: ancestor28 },
    dropped: [
      { number: 29n, hash: old29 },
      { number: 30n, hash: checkpoint.hash },
    ],
    deep: false,
  });

  // A store that kept no ancestors: the reorg is still reported, flagged deep.
  const unlocated = await resume(checkpoint);
  expect(unlocated.map(describeEvent)).toEqual(['reorg 29 deep -[30]', 'block 30', 'block 31']);
  expect(unlocated[0]).toMatchObject({ commonAncestor: { number: 29n, hash: await hashOf(29n) } });
});

async function hashOf(number: bigint): Promise<Hex> {
  return (await node.rpc<{ hash: Hex }>('eth_getBlockByNumber', [`0x${number.toString(16)}`, false])).hash;
}
