import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { numberToHex, parseEther } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startSignerChain } from '../../../../wallet/src/signers/testing.ts';
import { runCli } from '../../testing.ts';
import { walletCustodyHelp } from './custody.ts';

let chain: Awaited<ReturnType<typeof startSignerChain>>;
let dir: string;
const hot = privateKeyToAccount(generatePrivateKey()).address;
const cold = privateKeyToAccount(generatePrivateKey()).address;

const run = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(['wallet', 'custody', ...args], { cwd: dir, env });

async function config(ceiling: number) {
  const file = path.join(dir, `custody-${ceiling}.json`);
  await writeFile(
    file,
    JSON.stringify({
      ceiling,
      chains: [
        {
          chainId: 31337,
          name: 'anvil',
          rpcEnv: 'RPC',
          assets: [{ symbol: 'ETH' }],
          wallets: [
            { name: 'hot', address: hot, tier: 'hot' },
            { name: 'vault', address: cold, tier: 'cold' },
          ],
        },
      ],
      sinks: [{ type: 'jsonl', path: 'alerts.jsonl' }],
    }),
  );
  return path.basename(file);
}

beforeAll(async () => {
  chain = await startSignerChain();
  await chain.rpc('anvil_setBalance', [hot, numberToHex(parseEther('12'))]);
  await chain.rpc('anvil_setBalance', [cold, numberToHex(parseEther('88'))]);
  dir = await mkdtemp(path.join(tmpdir(), 'bulwark-custody-cli-'));
}, 60_000);
afterAll(() => chain?.stop());

describe('bulwark wallet custody', () => {
  test('default: above the ceiling it exits 1, proposes a sweep and alerts through the jsonl sink', async () => {
    const env = { RPC: chain.anvil.rpcUrl };
    const over = await run(['--config', await config(0.1)], env);
    expect(over.code).toBe(1);
    expect(over.stdout).toContain('OVER  ETH      hot 12.0% (ceiling 10.0%)');
    expect(over.stdout).toContain('sweep 7 ETH to vault (target 5.0%)');
    const alerts = (await readFile(path.join(dir, 'alerts.jsonl'), 'utf8')).trim().split('\n');
    expect(alerts).toHaveLength(1);
    expect(JSON.parse(alerts[0]!)).toMatchObject({ ruleId: 'hot-wallet-ceiling', chainId: 31337 });
    const json = await run(['--config', await config(0.1), '--format', 'json', '--no-alert'], env);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ breaches: 1, chains: [{ assets: [{ hotShare: 0.12 }] }] });
    expect((await readFile(path.join(dir, 'alerts.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(1);
  });

  test('behavior: under the ceiling it exits 0', async () => {
    const under = await run(['--config', await config(0.2)], { RPC: chain.anvil.rpcUrl });
    expect(under.code).toBe(0);
    expect(under.stdout).toContain('Every asset is under its hot ceiling.');
  });

  test('error: usage and config errors exit 2; --help is exact', async () => {
    expect(await run(['--help'])).toEqual({ code: 0, stdout: walletCustodyHelp, stderr: '' });
    expect(await run([])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--config FILE is required/) });
    const missingEnv = await run(['--config', await config(0.1)], {});
    expect(missingEnv).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/rpcEnv: environment variable RPC is not set/),
    });
  });
});
