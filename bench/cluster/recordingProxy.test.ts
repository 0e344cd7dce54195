import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestNode, type TestNode } from '../../packages/chain/src/testing.ts';
import { devKeys } from '../../packages/cli/src/demo/demoChain.ts';
import { firstPauseLatencies, type RecordingProxy, startRecordingProxy } from './recordingProxy.ts';

describe('startRecordingProxy', () => {
  let node: TestNode;
  let proxy: RecordingProxy;
  beforeAll(async () => {
    node = await startTestNode({ noMining: true });
    proxy = await startRecordingProxy(node.anvil.rpcUrl);
  });
  afterAll(async () => {
    await proxy.close();
    await node.stop();
  });

  const call = async (body: unknown) => {
    const response = await fetch(proxy.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return response.json() as Promise<unknown>;
  };
  const latest = (id: number) => ({ jsonrpc: '2.0', id, method: 'eth_getBlockByNumber', params: ['latest', false] });

  test('behavior: notes when each head was first handed out, not again on later answers', async () => {
    const first = (await call(latest(1))) as { result: { number: Hex } };
    const number = BigInt(first.result.number);
    const seenAt = proxy.headSeenAt.get(number);
    expect(seenAt).toBeTypeOf('number');
    await call(latest(2));
    expect(proxy.headSeenAt.get(number)).toBe(seenAt);
    await node.mine();
    // A batch, as some clients send: answered whole, and the new head noted.
    const answers = (await call([latest(3), { jsonrpc: '2.0', id: 4, method: 'eth_chainId', params: [] }])) as {
      id: number;
    }[];
    expect(answers.map((answer) => answer.id).sort()).toEqual([3, 4]);
    expect(proxy.headSeenAt.get(number + 1n)).toBeGreaterThanOrEqual(seenAt!);
    // A block asked for by number is not a head the proxy handed out.
    await node.mine();
    await call({
      jsonrpc: '2.0',
      id: 5,
      method: 'eth_getBlockByNumber',
      params: [`0x${(number + 2n).toString(16)}`, false],
    });
    expect(proxy.headSeenAt.has(number + 2n)).toBe(false);
  });

  test('behavior: notes each raw transaction with its recipient, and passes it on to the node', async () => {
    const account = privateKeyToAccount(devKeys.guardian);
    const to = '0x00000000000000000000000000000000000c0de1';
    const nonce = Number(await node.rpc<Hex>('eth_getTransactionCount', [account.address, 'pending']));
    const signed = await account.signTransaction({
      chainId: 31337,
      type: 'eip1559',
      nonce,
      to,
      value: 1n,
      gas: 21_000n,
      maxFeePerGas: 10n ** 10n,
      maxPriorityFeePerGas: 10n ** 9n,
    });
    const before = proxy.sent.length;
    const answer = (await call({ jsonrpc: '2.0', id: 6, method: 'eth_sendRawTransaction', params: [signed] })) as {
      result: Hex;
    };
    expect(proxy.sent.slice(before)).toEqual([{ to, at: expect.any(Number) }]);
    expect(await node.rpc('eth_getTransactionByHash', [answer.result])).toMatchObject({ to });
  });
});

describe('firstPauseLatencies', () => {
  const victim = '0x00000000000000000000000000000000000000aa';
  const other = '0x00000000000000000000000000000000000000bb';

  test('default: from the newest head seen before the pause, the first pause per victim only', () => {
    const record = {
      headSeenAt: new Map([
        [10n, 1_000],
        [11n, 2_000],
        [12n, 3_000],
      ]),
      sent: [
        { to: other as `0x${string}`, at: 2_010 },
        { to: victim as `0x${string}`, at: 2_040 },
        { to: victim as `0x${string}`, at: 3_500 },
      ],
    };
    expect(firstPauseLatencies(record, new Set([victim]))).toEqual([{ victim, block: 11n, ms: 40 }]);
  });

  test('behavior: a pause before any head was seen, or to an unknown address, is not counted', () => {
    const record = {
      headSeenAt: new Map([[5n, 500]]),
      sent: [
        { to: victim as `0x${string}`, at: 100 },
        { to: undefined, at: 600 },
      ],
    };
    expect(firstPauseLatencies(record, new Set([victim]))).toEqual([]);
  });
});
