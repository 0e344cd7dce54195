import { inspect } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createChainSync, createMemoryCheckpointStore } from './createChainSync.ts';
import * as chain from './index.ts';
import { collect, type FakeNode, forwardTo, startFakeNode, startTestNode, type TestNode } from './testing.ts';
import type { ChainEvent } from './types.ts';

let node: TestNode;
const fakes: FakeNode[] = [];

beforeAll(async () => {
  node = await startTestNode();
  await node.rpc('eth_sendTransaction', [{ from: node.accounts[0], to: node.accounts[1], value: '0x1' }]);
});

afterAll(async () => {
  await Promise.all(fakes.map((fake) => fake.close()));
  await node?.stop();
});

test('default: the public API', () => {
  expect(Object.keys(chain).sort()).toMatchInlineSnapshot(`
    [
      "ChainReorgedError",
      "ChainSyncError",
      "KeystoreError",
      "KeystorePasswordError",
      "RpcMalformedResponseError",
      "RpcMethodNotSupportedError",
      "RpcPoolExhaustedError",
      "RpcRequestError",
      "RpcResponseError",
      "RpcTimeoutError",
      "WebSocketError",
      "connectWebSocket",
      "connectWsRpc",
      "createCapabilityTracker",
      "createChainSync",
      "createMemoryCheckpointStore",
      "createRpcPool",
      "decryptKeystore",
      "encryptKeystore",
      "endpointName",
      "fetchBlock",
      "hashSafeTransaction",
      "isMethodNotFound",
      "normalizeCallFrame",
      "parsePrivateKey",
      "safeAbi",
      "safeDomainHasChainId",
      "safeDomainTypehash",
      "safeLegacyDomainTypehash",
      "safeTransactionArgs",
      "safeTransactionTypedData",
      "safeTxTypehash",
      "safeTxTypehashV100",
      "scrub",
      "secretsOf",
      "syncHistorical",
      "syncRealtime",
      "watchMempool",
    ]
  `);
});

test('behavior: a node without traces: a capabilities event names the lost coverage, and blocks keep coming', async () => {
  const plain = await startFakeNode(forwardTo(node.anvil.rpcUrl, ['trace_block', 'debug_traceBlockByNumber']));
  fakes.push(plain);
  const sync = createChainSync({
    chainId: 31337,
    endpoints: [plain.url],
    checkpointStore: createMemoryCheckpointStore(),
    pollingIntervalMs: 100,
    startBlock: 0n,
  });
  const stream = collect(sync.events());
  await sync.start();
  const events = await stream.until((events) => events.filter((event) => event.type === 'block').length === 2);
  await sync.stop();
  await stream.done;
  expect(events.map((event) => event.type)).toEqual(['capabilities', 'block', 'block']);
  const { capabilities } = events[0] as Extract<ChainEvent, { type: 'capabilities' }>;
  expect(capabilities).toMatchObject({ traces: 'missing', blockReceipts: 'available', missing: ['traces'] });
  expect(capabilities.lostCoverage).toEqual([
    expect.objectContaining({
      id: 'internal-calls',
      because: 'neither trace_block nor debug_traceBlockByNumber (callTracer) is available',
    }),
    expect.objectContaining({ id: 'reentrancy' }),
    expect.objectContaining({ id: 'internal-value-flows' }),
  ]);
  const block = (events[2] as Extract<ChainEvent, { type: 'block' }>).block;
  expect(block.traced).toBe(false);
  expect(block.transactions[0]!.receipt.status).toBe('success');
  expect(sync.capabilities().missing).toEqual(['traces']);
  expect(plain.requests.filter((request) => request.method === 'debug_traceBlockByNumber')).toHaveLength(1);
});

test('error: an endpoint of another chain is refused at start', async () => {
  const sync = createChainSync({
    chainId: 1,
    endpoints: [node.anvil.rpcUrl],
    checkpointStore: createMemoryCheckpointStore(),
  });
  await expect(sync.start()).rejects.toThrow(`${node.anvil.rpcUrl} serves chain 31337, not chain 1.`);
});

test('error: while every endpoint is down, the stream reports errors that never show the key in the URL', async () => {
  const key = 'abcdefabcdefabcdefabcdef';
  const flaky = await startFakeNode(forwardTo(node.anvil.rpcUrl), `/v3/${key}`);
  fakes.push(flaky);
  const sync = createChainSync({
    chainId: 31337,
    endpoints: [{ http: flaky.url, ws: `ws://127.0.0.1:1/v3/${key}` }],
    checkpointStore: createMemoryCheckpointStore(),
    pollingIntervalMs: 50,
    rpc: { retryCount: 0, timeoutMs: 500 },
  });
  const stream = collect(sync.events());
  await sync.start();
  await stream.until((events) => events.some((event) => event.type === 'block'));
  flaky.setHandler((request, response) => {
    response.statusCode = 502;
    response.end(`bad gateway: ${request.path}`);
  });
  const events = await stream.until((events) => events.some((event) => event.type === 'error'));
  await sync.stop();
  await stream.done;
  const error = events.find((event) => event.type === 'error')!.error;
  expect(error.message).toMatch(
    /^eth_getBlockByNumber: every RPC endpoint failed[\s\S]*http:\/\/127\.0\.0\.1:\d+\/v3\/\*\*\*: HTTP 502/,
  );
  const everything = [
    inspect(error, { depth: 10 }),
    JSON.stringify(sync.status(), (_k, v) => (typeof v === 'bigint' ? `${v}` : v)),
  ].join('\n');
  expect(everything).not.toContain(key);
});
