import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { endpointName } from './endpointName.ts';
import {
  RpcMalformedResponseError,
  RpcMethodNotSupportedError,
  RpcPoolExhaustedError,
  RpcResponseError,
  RpcTimeoutError,
} from './errors.ts';
import { createRpcPool, type EndpointHealthChange } from './rpcPool.ts';
import { type FakeNode, forwardTo, startFakeNode, startTestNode, type TestNode } from './testing.ts';

let node: TestNode;
const fakes: FakeNode[] = [];
const fake = async (...args: Parameters<typeof startFakeNode>) => {
  const started = await startFakeNode(...args);
  fakes.push(started);
  return started;
};

beforeAll(async () => {
  node = await startTestNode();
});

afterAll(async () => {
  await Promise.all(fakes.map((f) => f.close()));
  await node?.stop();
});

const failWith503: Parameters<typeof startFakeNode>[0] = (_request, response) => {
  response.statusCode = 503;
  response.end('Service Unavailable');
};

test('default: answers from the first endpoint and says which one served', async () => {
  const pool = createRpcPool({ endpoints: [node.anvil.rpcUrl] });
  const { result, endpoint } = await pool.requestWithEndpoint<string>('eth_chainId');
  expect(result).toBe('0x7a69');
  expect(endpoint).toBe(node.anvil.rpcUrl);
  expect(pool.health()[0]).toMatchObject({ healthy: true, served: 1, failures: 0 });
});

describe('failover', () => {
  test('behavior: a dead endpoint fails over to a live one, rests after N failures, and is tried again after its rest', async () => {
    const dead = await fake(failWith503);
    const warnings: string[] = [];
    const pool = createRpcPool({
      endpoints: [
        { http: dead.url, name: 'primary' },
        { http: node.anvil.rpcUrl, name: 'backup' },
      ],
      failureThreshold: 2,
      cooldownMs: 300,
      logger: { warn: (message) => warnings.push(message) },
    });

    expect((await pool.requestWithEndpoint('eth_blockNumber')).endpoint).toBe('backup');
    expect((await pool.requestWithEndpoint('eth_blockNumber')).endpoint).toBe('backup');
    expect(dead.requests).toHaveLength(2);
    // The circuit is open: the primary is not even asked.
    expect(pool.health()[0]).toMatchObject({ name: 'primary', healthy: false, consecutiveFailures: 2 });
    expect((await pool.requestWithEndpoint('eth_blockNumber')).endpoint).toBe('backup');
    expect(dead.requests).toHaveLength(2);
    expect(warnings).toEqual([
      expect.stringMatching(/^RPC endpoint primary rests for 300 ms: eth_blockNumber on primary: HTTP 503/),
    ]);

    // Still failing after the rest: it rests again, twice as long (exponential back-off).
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect((await pool.requestWithEndpoint('eth_blockNumber')).endpoint).toBe('backup');
    expect(dead.requests).toHaveLength(3);
    expect(warnings[1]).toMatch(/rests for 600 ms/);

    // It comes back: after its rest it serves again and counts as healthy.
    dead.setHandler(forwardTo(node.anvil.rpcUrl));
    await new Promise((resolve) => setTimeout(resolve, 650));
    expect((await pool.requestWithEndpoint('eth_blockNumber')).endpoint).toBe('primary');
    expect(pool.health()[0]).toMatchObject({ healthy: true, consecutiveFailures: 0, served: 1, failures: 3 });
  });

  test('behavior: an endpoint going down and coming back is told once each, not at every retry', async () => {
    const flaky = await fake(failWith503);
    const changes: EndpointHealthChange[] = [];
    const pool = createRpcPool({
      endpoints: [
        { http: flaky.url, name: 'primary' },
        { http: node.anvil.rpcUrl, name: 'backup' },
      ],
      failureThreshold: 2,
      cooldownMs: 50,
      onHealthChange: (change) => changes.push(change),
    });
    // Many requests across several rests: the circuit re-opens again and again, but it is one outage.
    while (flaky.requests.length < 5) {
      await pool.request('eth_blockNumber');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(changes).toEqual([
      expect.objectContaining({
        endpoint: 'primary',
        transport: 'http',
        state: 'down',
        error: expect.stringMatching(/HTTP 503/),
      }),
    ]);
    flaky.setHandler(forwardTo(node.anvil.rpcUrl));
    while ((await pool.requestWithEndpoint('eth_blockNumber')).endpoint !== 'primary') {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await pool.request('eth_blockNumber');
    expect(changes.map((change) => change.state)).toEqual(['down', 'recovered']);
    expect(changes[1]).toMatchObject({ endpoint: 'primary', error: undefined, downForMs: expect.any(Number) });
    // The WebSocket side has its own circuit and its own transitions.
    pool.reportWebSocketFailure('backup', new Error('closed'));
    pool.reportWebSocketFailure('backup', new Error('closed'));
    pool.reportWebSocketFailure('backup', new Error('closed'));
    pool.reportWebSocketSuccess('backup');
    expect(changes.slice(2).map((change) => `${change.endpoint} ${change.transport} ${change.state}`)).toEqual([
      'backup websocket down',
      'backup websocket recovered',
    ]);
  });

  test('behavior: when every endpoint fails, retries rounds with exponential back-off, then names every failure', async () => {
    const a = await fake(failWith503);
    const b = await fake(failWith503);
    const pool = createRpcPool({
      endpoints: [
        { http: a.url, name: 'a' },
        { http: b.url, name: 'b' },
      ],
      retryCount: 2,
      retryDelayMs: 60,
      failureThreshold: 10,
    });
    const started = performance.now();
    const error = await pool.request('eth_blockNumber').catch((e: unknown) => e);
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(RpcPoolExhaustedError);
    expect((error as RpcPoolExhaustedError).retryable).toBe(true);
    expect((error as Error).message).toMatch(/eth_blockNumber: every RPC endpoint failed \(6 attempts\)/);
    expect((error as Error).message).toMatch(/eth_blockNumber on a: HTTP 503/);
    expect((error as Error).message).toMatch(/eth_blockNumber on b: HTTP 503/);
    expect(a.requests).toHaveLength(3);
    expect(b.requests).toHaveLength(3);
    expect(elapsed).toBeGreaterThanOrEqual(60 + 120 - 5);
  });

  test('behavior: a JSON-RPC error is the node saying no, not a failure: no failover, no penalty', async () => {
    const second = await fake(forwardTo(node.anvil.rpcUrl));
    const pool = createRpcPool({ endpoints: [node.anvil.rpcUrl, second.url] });
    const error = await pool.request('eth_getBalance', ['0xnot-an-address', 'latest']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcResponseError);
    expect((error as RpcResponseError).retryable).toBe(false);
    expect((error as Error).message).toContain(`eth_getBalance on ${node.anvil.rpcUrl} failed`);
    expect(second.requests).toHaveLength(0);
    expect(pool.health()[0]).toMatchObject({ healthy: true, failures: 0 });
  });

  test('behavior: "method not found" moves to an endpoint that has the method, and is remembered', async () => {
    const plain = await fake(forwardTo(node.anvil.rpcUrl, ['debug_traceBlockByNumber']));
    const pool = createRpcPool({
      endpoints: [
        { http: plain.url, name: 'plain' },
        { http: node.anvil.rpcUrl, name: 'archive' },
      ],
    });
    const params = ['0x0', { tracer: 'callTracer' }];
    expect((await pool.requestWithEndpoint('debug_traceBlockByNumber', params)).endpoint).toBe('archive');
    expect((await pool.requestWithEndpoint('debug_traceBlockByNumber', params)).endpoint).toBe('archive');
    expect(plain.requests.filter((r) => r.method === 'debug_traceBlockByNumber')).toHaveLength(1);
    expect(pool.health()[0]).toMatchObject({
      healthy: true,
      failures: 0,
      unsupportedMethods: ['debug_traceBlockByNumber'],
    });

    const alone = createRpcPool({ endpoints: [{ http: plain.url, name: 'plain' }] });
    const error = await alone.request('debug_traceBlockByNumber', params).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcMethodNotSupportedError);
    expect((error as Error).message).toMatch(/^debug_traceBlockByNumber is not supported by plain\./);
  });
});

describe('bad endpoints', () => {
  test('error: a slow endpoint times out; the error names the endpoint and the method', async () => {
    const slow = await fake(async () => {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      return '0x1';
    });
    const pool = createRpcPool({ endpoints: [{ http: slow.url, name: 'slow' }], timeoutMs: 150, retryCount: 0 });
    const error = (await pool.request('eth_blockNumber').catch((e: unknown) => e)) as RpcPoolExhaustedError;
    expect(error).toBeInstanceOf(RpcPoolExhaustedError);
    expect(error.errors[0]).toBeInstanceOf(RpcTimeoutError);
    expect(error.errors[0]!.message).toMatch(/^eth_blockNumber on slow: no answer within 150 ms\./);
  });

  test('error: garbage, a wrong id and a lie are malformed responses naming the endpoint and the method', async () => {
    const garbage = await fake((_request, response) => {
      response.end('<html>502 Bad Gateway</html>');
    });
    const wrongId = await fake((request, response) => {
      response.end(JSON.stringify({ jsonrpc: '2.0', id: Number(request.id) + 1, result: '0x1' }));
    });
    const liar = await fake(() => ({ number: '0x5', hash: '0x12' }));
    const ask = async (url: string, name: string, validate?: (result: unknown) => string | undefined) => {
      const pool = createRpcPool({ endpoints: [{ http: url, name }], retryCount: 0 });
      const error = (await pool
        .request('eth_getBlockByNumber', ['0x4', false], { validate })
        .catch((e: unknown) => e)) as RpcPoolExhaustedError;
      expect(error).toBeInstanceOf(RpcPoolExhaustedError);
      expect(error.errors[0]).toBeInstanceOf(RpcMalformedResponseError);
      return error.errors[0]!.message;
    };
    expect(await ask(garbage.url, 'garbage')).toMatch(
      /^eth_getBlockByNumber on garbage: malformed response: the body is not JSON\.[\s\S]*Details: <html>502 Bad Gateway/,
    );
    expect(await ask(wrongId.url, 'wrong-id')).toMatch(
      /^eth_getBlockByNumber on wrong-id: malformed response: the response id/,
    );
    expect(
      await ask(liar.url, 'liar', (result) =>
        (result as { number: string }).number === '0x4' ? undefined : 'asked for block 4, got 0x5.',
      ),
    ).toMatch(/^eth_getBlockByNumber on liar: malformed response: asked for block 4, got 0x5\./);
  });

  test('error: an RPC URL with a key never reaches an error message, a log or the health report', async () => {
    const key = 'abcdefabcdefabcdefabcdef';
    // This server even echoes the request path back, as some proxies do.
    const echo = await fake((request, response) => {
      response.statusCode = 500;
      response.end(`upstream error for ${request.path} (${key})`);
    }, `/v3/${key}`);
    const closedPort = `http://127.0.0.1:1/v3/${key}`;
    const logs: string[] = [];
    const pool = createRpcPool({
      endpoints: [echo.url, { http: closedPort, ws: `ws://127.0.0.1:1/ws/v3/${key}` }],
      failureThreshold: 1,
      retryCount: 1,
      retryDelayMs: 10,
      logger: { warn: (message) => logs.push(message), info: (message) => logs.push(message) },
    });
    const error = await pool.request('eth_blockNumber').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcPoolExhaustedError);
    const everything = [
      String(error),
      (error as Error).message,
      inspect(error, { depth: 10 }),
      JSON.stringify(pool.health()),
      ...pool.endpointNames,
      ...logs,
    ].join('\n');
    expect(everything).toContain('http://127.0.0.1:1/v3/***');
    expect(everything).not.toContain(key);
    expect(echo.requests[0]!.path).toBe(`/v3/${key}`);
    expect(endpointName(`https://user:secret@eth.example.org/rpc/${key}?apikey=${key}`)).toBe(
      'https://eth.example.org/rpc/***?***',
    );
  });
});

describe('broadcast', () => {
  test('default: sends to every endpoint at once; first resolves with the quickest success, all with every reply', async () => {
    let releaseSlow!: () => void;
    const slowGate = new Promise<void>((resolve) => {
      releaseSlow = resolve;
    });
    const dead = await fake(failWith503);
    // The slow endpoint answers only after `first` has resolved: first does not wait for it.
    const slow = await fake(async () => {
      await slowGate;
      return '0xslow';
    });
    const quick = await fake(() => '0xquick');
    const pool = createRpcPool({
      endpoints: [
        { http: dead.url, name: 'dead' },
        { http: slow.url, name: 'slow' },
        { http: quick.url, name: 'quick' },
      ],
    });

    const { first, all } = pool.broadcast<string>('eth_sendRawTransaction', ['0x02f8']);
    expect(await first).toEqual({ result: '0xquick', endpoint: 'quick' });
    releaseSlow();
    const replies = await all;
    expect(replies.map((reply) => [reply.endpoint, reply.error === undefined ? reply.result : 'error'])).toEqual([
      ['dead', 'error'],
      ['slow', '0xslow'],
      ['quick', '0xquick'],
    ]);
    for (const endpoint of [dead, slow, quick]) {
      expect(endpoint.requests).toEqual([
        expect.objectContaining({ method: 'eth_sendRawTransaction', params: ['0x02f8'] }),
      ]);
    }
    // A broadcast is one try per endpoint: the dead one is asked once and counted against its health.
    expect(pool.health()[0]).toMatchObject({ name: 'dead', failures: 1 });
  });

  test('error: when every endpoint refuses, first rejects with a node’s own answer', async () => {
    const refuses = await fake((request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(
        JSON.stringify({ jsonrpc: '2.0', id: request.id, error: { code: -32000, message: 'nonce too low' } }),
      );
    });
    const dead = await fake(failWith503);
    const pool = createRpcPool({ endpoints: [dead.url, refuses.url] });
    const { first } = pool.broadcast('eth_sendRawTransaction', ['0x02']);
    await expect(first).rejects.toMatchObject({
      name: 'RpcResponseError',
      shortMessage: expect.stringMatching(/nonce too low/),
    });

    const onlyDead = createRpcPool({ endpoints: [dead.url] });
    await expect(onlyDead.broadcast('eth_sendRawTransaction', ['0x02']).first).rejects.toBeInstanceOf(
      RpcPoolExhaustedError,
    );
  });
});
