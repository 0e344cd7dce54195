import type { Hex } from 'viem';
import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from 'vitest';
import {
  type ChainSync,
  type CreateChainSyncParameters,
  createChainSync,
  createMemoryCheckpointStore,
} from './createChainSync.ts';
import {
  blocksOf,
  blockTraceMethods,
  collect,
  describeEvent,
  type EventCollector,
  forwardHolding,
  startFakeNode,
  startTcpProxy,
  startTestNode,
  type TestNode,
} from './testing.ts';
import type { ChainEvent } from './types.ts';

let node: TestNode;
let snapshot: Hex;
let sync: ChainSync | undefined;
let stream: EventCollector | undefined;

beforeAll(async () => {
  // Mined by hand: with automine, anvil sometimes puts two quick transactions in one block.
  node = await startTestNode({ noMining: true });
  await node.mine(3);
  snapshot = await node.snapshot();
});

beforeEach(async () => {
  await node.revert(snapshot);
  snapshot = await node.snapshot();
});

afterEach(async () => {
  await sync?.stop();
  await stream?.done;
  sync = undefined;
  stream = undefined;
});

afterAll(async () => {
  await node?.stop();
});

const start = async (parameters: Partial<CreateChainSyncParameters> = {}) => {
  sync = createChainSync({
    chainId: 31337,
    endpoints: [{ http: node.anvil.rpcUrl, ws: node.anvil.wsUrl }],
    checkpointStore: createMemoryCheckpointStore(),
    pollingIntervalMs: 100,
    ...parameters,
  });
  stream = collect(sync.events());
  await sync.start();
  return { sync, stream };
};
const numbers = (events: ChainEvent[]) => blocksOf(events).map((block) => block.number);
/** A transfer in a block of its own. */
const send = async (from: number, to: number) => {
  const hash = await node.rpc<Hex>('eth_sendTransaction', [
    { from: node.accounts[from], to: node.accounts[to], value: '0x1' },
  ]);
  await node.mine();
  return hash;
};

test('default: heads over the WebSocket; blocks in order with their receipts and traces', async () => {
  const head = await node.blockNumber();
  const { sync, stream } = await start();
  await stream.until((events) => numbers(events).includes(head));
  const hashes = [await send(0, 1), await send(1, 2), await send(2, 3)];
  const events = await stream.until((events) => numbers(events).includes(head + 3n));
  expect(events.filter((event) => event.type !== 'gap-filled').map(describeEvent)).toEqual([
    `block ${head}`,
    `block ${head + 1n}`,
    `block ${head + 2n}`,
    `block ${head + 3n}`,
  ]);
  const blocks = blocksOf(events).slice(1);
  expect(blocks.map((block) => block.transactions[0]!.hash)).toEqual(hashes);
  for (const block of blocks) {
    expect(block.transactions[0]!.receipt.status).toBe('success');
    expect(block.transactions[0]!.trace).toMatchObject({ type: 'CALL', value: 1n });
  }
  for (let i = 1; i < blocks.length; i++) expect(blocks[i]!.parentHash).toBe(blocks[i - 1]!.hash);
  expect(sync.status()).toMatchObject({ mode: 'websocket', running: true });
  expect(stream.events.some((event) => event.type === 'error')).toBe(false);
  await expect.poll(() => sync.status().checkpoint?.number).toBe(head + 3n);
});

test('behavior: polls for heads when no endpoint has a WebSocket', async () => {
  const head = await node.blockNumber();
  const { sync, stream } = await start({ endpoints: [node.anvil.rpcUrl] });
  await stream.until((events) => numbers(events).includes(head));
  await node.mine(1);
  await node.mine(2);
  const events = await stream.until((events) => numbers(events).includes(head + 3n));
  expect(numbers(events)).toEqual([head, head + 1n, head + 2n, head + 3n]);
  expect(sync.status().mode).toBe('polling');
});

test('behavior: when the WebSocket drops it polls, reconnects with back-off, and misses no block', async () => {
  const proxy = await startTcpProxy(node.anvil.port);
  try {
    const head = await node.blockNumber();
    const { sync, stream } = await start({
      endpoints: [{ http: node.anvil.rpcUrl, ws: `ws://127.0.0.1:${proxy.port}` }],
    });
    await stream.until((events) => numbers(events).includes(head));
    await expect.poll(() => sync.status().mode, { timeout: 10_000 }).toBe('websocket');
    proxy.refuse();
    await expect.poll(() => sync.status().mode, { timeout: 10_000 }).toBe('polling');
    await node.mine(2);
    await stream.until((events) => numbers(events).includes(head + 2n));
    proxy.accept();
    await expect.poll(() => sync.status().mode, { timeout: 10_000 }).toBe('websocket');
    await node.mine(1);
    const events = await stream.until((events) => numbers(events).includes(head + 3n));
    expect(numbers(events)).toEqual([head, head + 1n, head + 2n, head + 3n]);
    expect(sync.status().endpoints[0]!.webSocketHealthy).toBe(true);
  } finally {
    await sync?.stop();
    await proxy.close();
  }
});

test('behavior: a reorg (anvil_reorg) is reported with its common ancestor and dropped blocks, then the new blocks', async () => {
  await node.mine(3);
  const head = await node.blockNumber();
  const { stream } = await start({ startBlock: head - 3n });
  const before = blocksOf(await stream.until((events) => numbers(events).includes(head)));
  const ancestor = before.find((block) => block.number === head - 2n)!;

  // Replace the last two blocks by two others (one with a transaction), then extend the new chain.
  await node.rpc('anvil_reorg', [2, [[{ from: node.accounts[3], to: node.accounts[4], value: '0x2' }, 0]]]);
  await node.mine(1);
  const events = await stream.until((events) => numbers(events).includes(head + 1n));
  expect(events.filter((event) => event.type !== 'gap-filled').map(describeEvent)).toEqual([
    `block ${head - 3n}`,
    `block ${head - 2n}`,
    `block ${head - 1n}`,
    `block ${head}`,
    `reorg ${head - 2n} -[${head - 1n},${head}]`,
    `block ${head - 1n}`,
    `block ${head}`,
    `block ${head + 1n}`,
  ]);
  const reorg = events.find((event) => event.type === 'reorg')!;
  expect(reorg).toMatchObject({
    commonAncestor: { number: head - 2n, hash: ancestor.hash },
    dropped: before.slice(-2).map((block) => ({ number: block.number, hash: block.hash })),
    deep: false,
  });
  const after = blocksOf(events).slice(4);
  expect(after[0]!.parentHash).toBe(ancestor.hash);
  expect(after[0]!.transactions.map((tx) => tx.value)).toEqual([2n]);
  expect(after[1]!.hash).not.toBe(before.at(-1)!.hash);
  expect(after[2]!.parentHash).toBe(after[1]!.hash);
});

test('behavior: a chain that gets shorter (evm_revert) drops the blocks above the new head', async () => {
  const head = await node.blockNumber();
  const id = await node.snapshot();
  await node.mine(3);
  const { stream } = await start({ endpoints: [node.anvil.rpcUrl], startBlock: head });
  await stream.until((events) => numbers(events).includes(head + 3n));
  await node.revert(id);
  const events = await stream.until((events) => events.some((event) => event.type === 'reorg'));
  const reorg = events.at(-1) as Extract<ChainEvent, { type: 'reorg' }>;
  expect(reorg).toMatchObject({ commonAncestor: { number: head }, deep: false });
  expect(reorg.dropped.map((block) => block.number)).toEqual([head + 1n, head + 2n, head + 3n]);
});

test('behavior: with confirmations, a block is emitted once enough blocks are built on it', async () => {
  const head = await node.blockNumber();
  const { stream } = await start({ confirmations: 2 });
  await stream.until((events) => numbers(events).includes(head - 2n));
  await node.mine(1);
  await stream.until((events) => numbers(events).includes(head - 1n));
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(numbers(stream.events)).toEqual([head - 2n, head - 1n]);
});

test('behavior: with receiptsFirst, a live block comes as block-receipts while its traces are held, then as block', async () => {
  const slow = forwardHolding(node.anvil.rpcUrl, blockTraceMethods);
  const fake = await startFakeNode(slow.handler);
  try {
    const head = await node.blockNumber();
    const { stream } = await start({ endpoints: [fake.url], receiptsFirst: true });
    await stream.until((events) => numbers(events).includes(head));
    slow.hold();
    const hash = await send(0, 1);
    const early = await stream.until((events) =>
      events.some((event) => event.type === 'block-receipts' && event.block.number === head + 1n),
    );
    // Its traces are still held: the block itself has not come.
    expect(slow.answered()).toBe(0);
    expect(numbers(early)).not.toContain(head + 1n);
    const receipts = early.find((event) => event.type === 'block-receipts' && event.block.number === head + 1n);
    expect(receipts?.type === 'block-receipts' && receipts.block).toMatchObject({
      traced: false,
      transactions: [{ hash, trace: undefined, receipt: { status: 'success' } }],
    });
    slow.release();
    const events = await stream.until((events) => numbers(events).includes(head + 1n));
    const order = events.filter((event) => event.type.startsWith('block')).map(describeEvent);
    expect(order.slice(order.indexOf(`block-receipts ${head + 1n}`))).toEqual([
      `block-receipts ${head + 1n}`,
      `block ${head + 1n}`,
    ]);
    expect(blocksOf(events).at(-1)!.transactions[0]!.trace).toMatchObject({ type: 'CALL', value: 1n });
  } finally {
    slow.release();
    await sync?.stop();
    await fake.close();
  }
});
