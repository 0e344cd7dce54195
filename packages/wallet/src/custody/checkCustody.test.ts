import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Address, type Hex, numberToHex, parseEther } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type PreviewChain, startPreviewChain } from '../preview/testing.ts';
import { createLocalKeySigner } from '../signers/localKey.ts';
import { payloadDigest, type SignPayload, signAllowed } from '../signers/signer.ts';
import { checkCustody, sendCustodyAlerts } from './checkCustody.ts';
import { loadCustodyConfig } from './config.ts';

let chain: PreviewChain;
let token: Address;
let dir: string;
const keys = {
  hot1: generatePrivateKey(),
  hot2: generatePrivateKey(),
  warm: generatePrivateKey(),
  cold: generatePrivateKey(),
};
const address = (key: Hex) => privateKeyToAccount(key).address;

beforeAll(async () => {
  chain = await startPreviewChain();
  token = await chain.deploy('FixtureToken');
  const eth = { hot1: '16', hot2: '4', warm: '0', cold: '80' } as const;
  for (const [name, key] of Object.entries(keys)) {
    await chain.rpc('anvil_setBalance', [address(key), numberToHex(parseEther(eth[name as keyof typeof eth]))]);
  }
  await chain.send(token, chain.fixtures.FixtureToken, 'mint', [address(keys.hot1), 5_000_000n]);
  await chain.send(token, chain.fixtures.FixtureToken, 'mint', [address(keys.cold), 95_000_000n]);
  dir = await mkdtemp(join(tmpdir(), 'bulwark-custody-'));
}, 120_000);
afterAll(() => chain?.stop());

async function writeConfig(extra: Record<string, unknown> = {}) {
  const file = join(dir, `custody-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(
    file,
    JSON.stringify({
      chains: [
        {
          chainId: 31337,
          name: 'anvil',
          rpcEnv: 'CUSTODY_RPC',
          assets: [{ symbol: 'ETH' }, { symbol: 'USDX', token, decimals: 6 }],
          wallets: [
            { name: 'hot-1', address: address(keys.hot1), tier: 'hot' },
            { name: 'hot-2', address: address(keys.hot2), tier: 'hot' },
            { name: 'warm-1', address: address(keys.warm), tier: 'warm' },
            { name: 'vault', address: address(keys.cold), tier: 'cold' },
          ],
        },
      ],
      sinks: [{ type: 'jsonl', path: 'alerts.jsonl' }],
      ...extra,
    }),
  );
  return file;
}

describe('checkCustody', () => {
  test('default: hot share per asset from the chain; above the 10% ceiling an alert goes through the monitor’s sink with a sweep', async () => {
    const env = { CUSTODY_RPC: chain.anvil.rpcUrl };
    const config = await loadCustodyConfig(await writeConfig(), env);
    const report = await checkCustody({ config });
    const [eth, usdx] = report.chains[0]!.assets;
    expect(eth).toMatchObject({
      symbol: 'ETH',
      hotShare: 0.2,
      overCeiling: true,
      ceiling: 0.1,
      target: 0.05,
      total: parseEther('100').toString(),
    });
    expect(eth!.byTier).toEqual({ hot: parseEther('20').toString(), warm: '0', cold: parseEther('80').toString() });
    expect(eth!.sweep).toMatchObject({
      amount: parseEther('15').toString(),
      to: { name: 'vault', address: address(keys.cold) },
      transfers: [{ fromName: 'hot-1', amount: parseEther('15').toString() }],
    });
    expect(usdx).toMatchObject({ hotShare: 0.05, overCeiling: false, sweep: undefined });
    expect(report.breaches).toBe(1);

    const summaries = await sendCustodyAlerts(report, config, env);
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatchObject({ delivered: 1, failed: 0 });
    const lines = (await readFile(join(dir, 'alerts.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      expect.objectContaining({
        ruleId: 'hot-wallet-ceiling',
        severity: 'high',
        chainId: 31337,
        title: 'Hot wallets hold 20.0% of ETH on anvil (ceiling 10.0%)',
        summary: expect.stringContaining('Sweep 15 ETH to vault'),
        dedupeKey: 'hot-wallet-ceiling:31337:native',
      }),
    ]);
  });

  test('behavior: the proposed sweep, signed through the gate and sent, brings the hot share under the target', async () => {
    const env = { CUSTODY_RPC: chain.anvil.rpcUrl };
    const config = await loadCustodyConfig(await writeConfig({ ceiling: 0.03, target: 0.01 }), env);
    const before = await checkCustody({ config });
    const usdx = before.chains[0]!.assets[1]!;
    expect(usdx).toMatchObject({ overCeiling: true, sweep: { amount: '4000000' } });
    const [transfer] = usdx.sweep!.transfers;
    const signer = createLocalKeySigner({ privateKey: keys.hot1 });
    const nonce = await chain.client.getTransactionCount({ address: signer.address });
    const payload: SignPayload = {
      kind: 'transaction',
      transaction: {
        chainId: 31337,
        nonce,
        to: transfer!.transaction.to,
        data: transfer!.transaction.data,
        value: BigInt(transfer!.transaction.value),
        gas: 100_000n,
        maxFeePerGas: 10_000_000_000n,
        maxPriorityFeePerGas: 1_000_000_000n,
      },
    };
    const signed = await signAllowed({ action: 'allow', requestDigest: payloadDigest(payload).hash }, signer, payload);
    const hash = await chain.client.request({ method: 'eth_sendRawTransaction', params: [signed.rawTransaction!] });
    await chain.mine();
    expect((await chain.client.getTransactionReceipt({ hash })).status).toBe('success');
    const after = await checkCustody({ config });
    expect(after.chains[0]!.assets[1]).toMatchObject({ hotShare: 0.01, overCeiling: false });
  });

  test('error: a bad custody file lists every problem with its path; a missing RPC variable is named', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(
      file,
      JSON.stringify({
        ceiling: 10,
        chains: [
          { chainId: 'one', rpcEnv: 'NOPE', assets: [{ token: 'x' }], wallets: [{ address: '0x1', tier: 'lukewarm' }] },
        ],
        colour: 'blue',
      }),
    );
    const error = (await loadCustodyConfig(file, {}).catch((e: unknown) => e)) as Error;
    expect(error.name).toBe('InputError');
    for (const fragment of [
      '/ceiling',
      '/chains/0/chainId',
      'NOPE is not set',
      '/chains/0/assets/0/symbol',
      '/chains/0/assets/0/token',
      '/chains/0/wallets/0/address',
      'at least one hot wallet',
      '/colour',
    ])
      expect(error.message).toContain(fragment);
    await expect(loadCustodyConfig(join(dir, 'missing.json'))).rejects.toThrow(/Cannot read the custody file .*ENOENT/);
  });
});
