import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { BaseError } from '@bulwark/core';
import { createPublicClient, createWalletClient, type EIP1193RequestFn, http, parseEther } from 'viem';
import { foundry } from 'viem/chains';
import { afterEach, describe, expect, test } from 'vitest';
import { type Anvil, anvilBinaryPath, startAnvil } from './anvil.ts';

const started: Anvil[] = [];
const start = async (parameters: Parameters<typeof startAnvil>[0] = {}) => {
  const anvil = await startAnvil(parameters);
  started.push(anvil);
  return anvil;
};

afterEach(async () => {
  await Promise.all(started.splice(0).map((anvil) => anvil.stop()));
});

const rpc = async (url: string, method: string, params: unknown[] = []) => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return ((await response.json()) as { result: unknown }).result;
};

/** Status of a WebSocket upgrade request (101 when accepted); Node 20 has no WebSocket client. */
const webSocketHandshake = (port: number) =>
  new Promise<number | undefined>((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-key': randomBytes(16).toString('base64'),
        'sec-websocket-version': '13',
      },
    });
    req.on('upgrade', (response, socket) => {
      socket.destroy();
      resolve(response.statusCode);
    });
    req.on('response', (response) => resolve(response.statusCode));
    req.on('error', reject);
    req.end();
  });

describe('startAnvil', () => {
  test('default: answers over HTTP and WebSocket on a free local port', async () => {
    const anvil = await start();
    expect(anvil.rpcUrl).toBe(`http://127.0.0.1:${anvil.port}`);
    expect(anvil.wsUrl).toBe(`ws://127.0.0.1:${anvil.port}`);
    expect(await rpc(anvil.rpcUrl, 'eth_chainId')).toBe('0x7a69');
    expect(await webSocketHandshake(anvil.port)).toBe(101);
  });

  test('behavior: several run side by side, each with its own chain', async () => {
    const [a, b] = await Promise.all([start(), start({ chainId: 1337 })]);
    expect(a!.port).not.toBe(b!.port);
    expect(await rpc(b!.rpcUrl, 'eth_chainId')).toBe('0x539');
  });

  test('behavior: with noMining, a burst from many senders waits for evm_mine and lands in one block', async () => {
    const anvil = await start({ noMining: true });
    const transport = http(anvil.rpcUrl);
    const client = createPublicClient({ chain: foundry, transport, pollingInterval: 25 });
    const accounts = await createWalletClient({ chain: foundry, transport }).getAddresses();
    const target = accounts[0]!;
    const hashes = await Promise.all(
      accounts
        .slice(1)
        .map((account) =>
          createWalletClient({ account, chain: foundry, transport }).sendTransaction({ to: target, value: 1n }),
        ),
    );
    expect(await client.getBlockNumber()).toBe(0n);
    expect(await client.getTransactionCount({ address: accounts[1]!, blockTag: 'pending' })).toBe(1);
    await (client.request as EIP1193RequestFn)({ method: 'evm_mine' });
    const receipts = await Promise.all(hashes.map((hash) => client.waitForTransactionReceipt({ hash })));
    expect(receipts.map((r) => [r.status, r.blockNumber])).toEqual(hashes.map(() => ['success', 1n]));
    expect(await client.getBalance({ address: target })).toBe(parseEther('10000') + 9n);
  });

  test('behavior: stop ends the process and frees the port', async () => {
    const anvil = await startAnvil();
    await anvil.stop();
    expect(() => process.kill(anvil.pid, 0)).toThrow();
    await expect(rpc(anvil.rpcUrl, 'eth_chainId')).rejects.toThrow();
    await anvil.stop(); // idempotent
  });

  test('error: noMining and blockTime together are refused', async () => {
    await expect(startAnvil({ noMining: true, blockTime: 1 })).rejects.toMatchObject({ name: 'UsageError' });
  });

  test('error: a binary that does not run is reported', async () => {
    const error = await startAnvil({ binary: '/nonexistent/anvil' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BaseError);
    expect(error).toMatchObject({ name: 'AnvilError' });
  });

  test('error: an anvil that exits at start-up is reported with its output', async () => {
    const error = await startAnvil({ args: ['--no-such-flag'] }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'AnvilError' });
    expect((error as Error).message).toContain('no-such-flag');
  });

  test('default: the binary comes from @foundry-rs/anvil', () => {
    const path = anvilBinaryPath();
    expect(path).toMatch(/@foundry-rs\/anvil-[a-z0-9]+-[a-z0-9]+\/bin\/anvil/);
    expect(existsSync(path)).toBe(true);
  });
});
