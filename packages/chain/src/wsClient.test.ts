import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { Hex } from 'viem';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { WebSocketError } from './errors.ts';
import { startFakeNode, startTcpProxy, startTestNode, type TestNode } from './testing.ts';
import { connectWebSocket } from './wsClient.ts';
import { connectWsRpc } from './wsRpc.ts';

let node: TestNode;

beforeAll(async () => {
  node = await startTestNode();
});

afterAll(async () => {
  await node?.stop();
});

test('default: JSON-RPC requests and a newHeads subscription over the WebSocket', async () => {
  let closeError: Error | undefined | null = null;
  const client = await connectWsRpc(node.anvil.wsUrl, { onClose: (error) => (closeError = error) });
  expect(await client.request('eth_chainId')).toBe('0x7a69');
  const heads: { number: Hex; hash: Hex }[] = [];
  await client.subscribe(['newHeads'], (head) => heads.push(head as { number: Hex; hash: Hex }));
  const before = await node.blockNumber();
  await node.mine(2);
  await expect.poll(() => heads.length, { timeout: 10_000 }).toBe(2);
  expect(heads.map((head) => BigInt(head.number))).toEqual([before + 1n, before + 2n]);
  await client.close();
  expect(client.isOpen).toBe(false);
  // A clean close is not an error.
  expect(closeError).toBeUndefined();
});

test('behavior: messages over 64 KiB both ways (16- and 64-bit frame lengths, masked client frames)', async () => {
  const client = await connectWsRpc(node.anvil.wsUrl);
  const data = `0x${'ab'.repeat(100_000)}` as const;
  const hash = await client.request<Hex>('eth_sendTransaction', [
    { from: node.accounts[0], to: node.accounts[1], data, gas: '0x500000' },
  ]);
  const tx = await client.request<{ input: Hex }>('eth_getTransactionByHash', [hash]);
  expect(tx.input).toBe(data);
  // 126-byte-length frames: between 126 and 65,535 bytes.
  const medium = `0x${'cd'.repeat(1_000)}`;
  expect(await client.request('web3_sha3', [medium])).toMatch(/^0x[0-9a-f]{64}$/);
  await client.close();
});

test('behavior: a dropped connection is reported with an error', async () => {
  const proxy = await startTcpProxy(node.anvil.port);
  const closed = new Promise<Error | undefined>((resolve) => {
    void connectWsRpc(`ws://127.0.0.1:${proxy.port}`, { name: 'proxied', onClose: resolve }).then(async (client) => {
      expect(await client.request('eth_chainId')).toBe('0x7a69');
      proxy.cut();
    });
  });
  const error = await closed;
  expect(error).toBeInstanceOf(WebSocketError);
  expect(error!.message).toMatch(/^WebSocket proxied: the connection (dropped|broke)/);
  await proxy.close();
});

test('behavior: pings keep a live connection open and close a silent one', async () => {
  const live = await connectWsRpc(node.anvil.wsUrl, { pingIntervalMs: 100 });
  await new Promise((resolve) => setTimeout(resolve, 450));
  expect(live.isOpen).toBe(true);
  await live.close();

  // A server that completes the handshake and then never answers a ping.
  const silent = createServer();
  silent.on('upgrade', (request, socket) => {
    const accept = createHash('sha1')
      .update(`${request.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
      .digest('base64');
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const port = (silent.address() as { port: number }).port;
  const closed = await new Promise<{ code: number; error: Error | undefined }>((resolve) => {
    void connectWebSocket(`ws://127.0.0.1:${port}`, { pingIntervalMs: 100, onMessage() {}, onClose: resolve });
  });
  expect(closed.code).toBe(1001);
  expect(closed.error?.message).toMatch(/no pong within 100 ms/);
  silent.closeAllConnections();
  silent.close();
});

test('error: refused connections and non-WebSocket servers, named without their key', async () => {
  const key = 'abcdefabcdefabcdefabcdef';
  const refused = await connectWebSocket(`ws://127.0.0.1:1/v3/${key}`, { onMessage() {} }).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(WebSocketError);
  expect((refused as Error).message).toBe('WebSocket ws://127.0.0.1:1/v3/***: cannot connect (ECONNREFUSED).');

  const plain = await startFakeNode(() => '0x1');
  const notWs = await connectWebSocket(`ws://127.0.0.1:${plain.port}/v3/${key}`, { onMessage() {} }).catch(
    (e: unknown) => e,
  );
  expect((notWs as Error).message).toMatch(
    /^WebSocket ws:\/\/127\.0\.0\.1:\d+\/v3\/\*\*\*: the server refused the upgrade \(HTTP 200\)/,
  );
  expect(String(notWs)).not.toContain(key);
  await plain.close();

  const wrongScheme = await connectWebSocket(`http://127.0.0.1:1/v3/${key}`, { onMessage() {} }).catch(
    (e: unknown) => e,
  );
  expect((wrongScheme as Error).message).toBe(
    'WebSocket http://127.0.0.1:1/v3/***: the URL is not a ws:// or wss:// URL.',
  );
});
