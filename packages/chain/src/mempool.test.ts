import { type Artifacts, deployContract, loadArtifacts } from '@bulwark/contracts';
import {
  type Abi,
  type Address,
  createPublicClient,
  createWalletClient,
  encodeDeployData,
  encodeFunctionData,
  type Hex,
  http,
  parseEther,
  zeroAddress,
} from 'viem';
import { foundry } from 'viem/chains';
import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from 'vitest';
import {
  type ChainSync,
  type CreateChainSyncParameters,
  createChainSync,
  createMemoryCheckpointStore,
} from './createChainSync.ts';
import {
  blocksOf,
  collect,
  type EventCollector,
  forwardTo,
  startFakeNode,
  startTestNode,
  type TestNode,
} from './testing.ts';
import type { CallFrame, ChainEvent } from './types.ts';

/* Mempool mode on an anvil that mines only on `evm_mine`, so transactions stay pending. */

let node: TestNode;
let artifacts: Artifacts;
let vault: Address;
let attacker: Address;
let snapshot: Hex;
let sync: ChainSync | undefined;
let stream: EventCollector | undefined;
const thief = () => node.accounts[5]!;

beforeAll(async () => {
  [node, artifacts] = await Promise.all([startTestNode({ noMining: true }), loadArtifacts()]);
  const transport = http(node.anvil.rpcUrl);
  const publicClient = createPublicClient({ chain: foundry, transport, pollingInterval: 25 });
  const wallet = (index: number) =>
    createWalletClient({ account: node.accounts[index]!, chain: foundry, transport, pollingInterval: 25 });
  vault = (
    await deployContract(wallet(0), publicClient, {
      artifact: artifacts.contracts.DemoVault!,
      args: [node.accounts[0], zeroAddress, 3_600n, 0, 300n, 12n],
      mine: true,
    })
  ).toLowerCase() as Address;
  attacker = (
    await deployContract(wallet(5), publicClient, {
      artifact: artifacts.contracts.ReentrancyAttacker!,
      args: [vault],
      mine: true,
    })
  ).toLowerCase() as Address;
  await node.rpc('eth_sendTransaction', [
    { from: node.accounts[2], to: vault, value: `0x${parseEther('10').toString(16)}` },
  ]);
  await node.mine();
  snapshot = await node.snapshot();
});

beforeEach(async () => {
  // evm_revert keeps the pending pool: empty it so one test's transactions do not leak into the next.
  await node.rpc('anvil_dropAllTransactions');
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
    watch: [vault],
    ...parameters,
  });
  stream = collect(sync.events());
  await sync.start();
  await stream.until((events) => blocksOf(events).length > 0);
  return stream;
};
const pendingOf = (events: ChainEvent[]) => events.flatMap((event) => (event.type === 'pending' ? [event] : []));
const frames = (frame: CallFrame): CallFrame[] => [frame, ...frame.calls.flatMap(frames)];
const sendAttack = () =>
  node.rpc<Hex>('eth_sendTransaction', [
    {
      from: thief(),
      to: attacker,
      data: encodeFunctionData({
        abi: artifacts.contracts.ReentrancyAttacker!.abi as Abi,
        functionName: 'attack',
        args: [2n],
      }),
      value: `0x${parseEther('1').toString(16)}`,
      gas: '0x200000',
    },
  ]);
const sendUnrelated = () =>
  node.rpc<Hex>('eth_sendTransaction', [{ from: node.accounts[7], to: node.accounts[8], value: '0x1' }]);

for (const mode of ['websocket', 'polling'] as const) {
  test(`${mode === 'websocket' ? 'default' : 'behavior'}: a pending attack through another contract is seen and traced before it is mined (${mode === 'websocket' ? 'newPendingTransactions' : 'txpool_content polling'})`, async () => {
    const stream = await start({ webSocket: mode === 'websocket' });
    await expect.poll(() => sync!.status().mempoolMode, { timeout: 10_000 }).toBe(mode);
    const unrelated = await sendUnrelated();
    const hash = await sendAttack();
    const [pending] = pendingOf(await stream.until((events) => pendingOf(events).length > 0));
    // Still pending when reported.
    expect(await node.rpc('eth_getTransactionReceipt', [hash])).toBeNull();
    expect(pending!.tx).toMatchObject({ hash, from: thief().toLowerCase(), to: attacker, value: parseEther('1') });
    expect(pending!.touched).toEqual([vault]);
    const intoVault = frames(pending!.trace!).filter((frame) => frame.to === vault);
    expect(intoVault.length).toBeGreaterThanOrEqual(4);

    await node.mine();
    const events = await stream.until((events) => blocksOf(events).length > 1);
    const block = blocksOf(events)[1]!;
    expect(block.transactions.map((tx) => tx.hash).sort()).toEqual([hash, unrelated].sort());
    // The pending event came first; the unrelated transfer touched nothing watched.
    expect(events.findIndex((event) => event.type === 'pending')).toBeLessThan(
      events.indexOf(events.find((e) => e.type === 'block' && e.block === block)!),
    );
    expect(pendingOf(events).map((event) => event.tx.hash)).toEqual([hash]);
  });
}

test('behavior: a pending contract creation is reported, touching nothing watched yet', async () => {
  const stream = await start();
  // The nonce from the chain: after a revert, the node may still count the dropped transactions.
  const nonce = await node.rpc<Hex>('eth_getTransactionCount', [thief(), 'latest']);
  const hash = await node.rpc<Hex>('eth_sendTransaction', [
    {
      from: thief(),
      nonce,
      data: encodeDeployData({
        abi: artifacts.contracts.ReentrancyAttacker!.abi as Abi,
        bytecode: artifacts.contracts.ReentrancyAttacker!.bytecode,
        args: [vault],
      }),
      gas: '0x300000',
    },
  ]);
  const [pending] = pendingOf(await stream.until((events) => pendingOf(events).length > 0));
  expect(pending).toMatchObject({ tx: { hash, to: null }, touched: [], trace: { type: 'CREATE' } });
  // Its runtime code, for the monitor to simulate before the contract exists.
  expect(pending!.trace!.output!.length).toBeGreaterThan(1000);
  await sendUnrelated();
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(pendingOf(stream.events)).toHaveLength(1);
});

test('behavior: with traceAll off, only transactions sent to or from a watched address are reported', async () => {
  const stream = await start({ mempoolTraceAll: false });
  await sendAttack();
  const deposit = await node.rpc<Hex>('eth_sendTransaction', [{ from: node.accounts[3], to: vault, value: '0x5' }]);
  const events = await stream.until((events) => pendingOf(events).length > 0);
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(pendingOf(stream.events).map((event) => event.tx.hash)).toEqual([deposit]);
  expect(pendingOf(events)[0]!.trace).toMatchObject({ type: 'CALL', to: vault, value: 5n });
});

test('behavior: without debug_traceCall, direct transactions are still reported, untraced, and the lost coverage named', async () => {
  const plain = await startFakeNode(forwardTo(node.anvil.rpcUrl, ['debug_traceCall']));
  try {
    const stream = await start({ endpoints: [plain.url] });
    await sendAttack();
    const deposit = await node.rpc<Hex>('eth_sendTransaction', [{ from: node.accounts[3], to: vault, value: '0x5' }]);
    const events = await stream.until((events) => pendingOf(events).length > 0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(pendingOf(stream.events).map((event) => [event.tx.hash, event.trace])).toEqual([[deposit, undefined]]);
    const capabilities = events.find((event) => event.type === 'capabilities');
    expect(capabilities).toMatchObject({
      capabilities: { traceCall: 'missing', lostCoverage: [expect.objectContaining({ id: 'pending-simulation' })] },
    });
    expect(plain.requests.filter((request) => request.method === 'debug_traceCall')).toHaveLength(1);
  } finally {
    await sync?.stop();
    await plain.close();
  }
});

test('behavior: while a live block is being fetched, pending transactions wait to be traced; then they are', async () => {
  const forward = forwardTo(node.anvil.rpcUrl);
  let release!: () => void;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  let holding = false;
  /** Requests in arrival order, with a mark where the held block traces were answered. */
  const order: string[] = [];
  const gated = await startFakeNode(async (request, response, incoming) => {
    order.push(request.method);
    if (request.method === 'trace_block' && holding) {
      await held;
      order.push('block traced');
    }
    return forward(request, response, incoming);
  });
  try {
    const stream = await start({ endpoints: [gated.url], webSocket: false });
    const heldFrom = order.length;
    holding = true;
    await node.mine();
    // The sync is fetching the new block (its traces held) when the attack arrives in the pool.
    await expect.poll(() => order.indexOf('trace_block', heldFrom) >= 0, { timeout: 10_000 }).toBe(true);
    const hash = await sendAttack();
    const polled = () => order.filter((method) => method === 'txpool_content').length;
    const before = polled();
    // Two polls of the pool later, the watcher has long seen the transaction.
    await expect.poll(polled, { timeout: 10_000 }).toBeGreaterThan(before + 1);
    release();
    const [pending] = pendingOf(await stream.until((events) => pendingOf(events).length > 0));
    expect(pending!.tx.hash).toBe(hash);
    // Transactions left in the pool by earlier tests may be traced before the hold; none is while
    // the block's traces are held, and the attack is traced once they are answered.
    const heldAt = order.indexOf('trace_block', heldFrom);
    const tracedAt = order.indexOf('block traced');
    expect(heldAt).toBeGreaterThanOrEqual(0);
    expect(order.slice(heldAt, tracedAt)).not.toContain('debug_traceCall');
    expect(order.slice(tracedAt)).toContain('debug_traceCall');
  } finally {
    release();
    await sync?.stop();
    await gated.close();
  }
});
