import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Address, getAddress, maxUint256, parseEther } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type PreviewChain, startPreviewChain } from '../../../../wallet/src/preview/testing.ts';
import { runCli } from '../../testing.ts';
import { walletPreviewHelp } from './preview.ts';

let chain: PreviewChain;
let dir: string;
let me: Address;
let token: Address;
const alice = privateKeyToAccount(generatePrivateKey()).address;

const run = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(['wallet', 'preview', ...args], { cwd: dir, env });

async function requestFile(request: Record<string, unknown>) {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, JSON.stringify({ chainId: 31337, from: me, value: '0', data: '0x', ...request }));
  return path.basename(file);
}

beforeAll(async () => {
  chain = await startPreviewChain();
  dir = await mkdtemp(path.join(tmpdir(), 'bulwark-preview-cli-'));
  me = getAddress(chain.deployer.account.address);
  token = await chain.deploy('FixtureToken');
  await chain.send(token, chain.fixtures.FixtureToken, 'mint', [me, 1000n]);
}, 120_000);
afterAll(() => chain?.stop());

describe('bulwark wallet preview', () => {
  test('default: a plain transfer prints its asset changes and exits 0; --format json is clean JSON', async () => {
    const file = await requestFile({
      to: token,
      data: chain.calldata(chain.fixtures.FixtureToken, 'transfer', [alice, 10n]),
    });
    const text = await run(['--request', file, '--rpc', chain.anvil.rpcUrl]);
    expect(text).toMatchObject({ code: 0, stderr: '' });
    expect(text.stdout).toContain('Simulation: success');
    expect(text.stdout).toContain(`-10 erc20 ${token}`);
    expect(text.stdout).toContain('Flags: none');
    const json = await run(['--request', file, '--format', 'json'], { BULWARK_RPC_URL: chain.anvil.rpcUrl });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ status: 'success', account: me, flags: [] });
  });

  test('behavior: a Safe transfer shows the SafeTx hash; an unlimited approval exits 1 at the default --fail-on high', async () => {
    const safe = await chain.newSafe(2);
    const safeRun = await run([
      '--request',
      await requestFile({ safe, to: alice, value: parseEther('1').toString() }),
      '--rpc',
      chain.anvil.rpcUrl,
    ]);
    expect(safeRun.code).toBe(0);
    expect(safeRun.stdout).toMatch(/SafeTx hash: 0x[0-9a-f]{64}\n {2}Safe 1\.4\.1, nonce 0, 2 of 3 owners/);
    const approve = await requestFile({
      to: token,
      data: chain.calldata(chain.fixtures.FixtureToken, 'approve', [alice, maxUint256]),
    });
    const high = await run(['--request', approve, '--rpc', chain.anvil.rpcUrl]);
    expect(high.code).toBe(1);
    expect(high.stdout).toContain('[HIGH] unlimited-approval');
    expect((await run(['--request', approve, '--rpc', chain.anvil.rpcUrl, '--fail-on', 'critical'])).code).toBe(0);
  });

  test('error: usage and input errors exit 2 with a message; --help is exact', async () => {
    expect(await run(['--help'])).toEqual({ code: 0, stdout: walletPreviewHelp, stderr: '' });
    for (const [args, message] of [
      [[], /--request FILE is required/],
      [['--request', 'x.json'], /--rpc URL is required/],
      [['--request', 'missing.json', '--rpc', 'http://127.0.0.1:1'], /Cannot read the request missing.json \(ENOENT\)/],
      [
        ['--request', 'x.json', '--rpc', 'http://127.0.0.1:1', '--fail-on', 'severe'],
        /--fail-on severe is not a severity/,
      ],
      [['--request', 'x.json', '--rpc', 'http://127.0.0.1:1', '--format', 'xml'], /--format xml is not a format/],
    ] as const) {
      const result = await run([...args]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
    }
    const bad = await run(['--request', await requestFile({ to: 'nowhere' }), '--rpc', chain.anvil.rpcUrl]);
    expect(bad).toMatchObject({ code: 2, stdout: '' });
    expect(bad.stderr).toMatch(/`to` is not an address/);
  });
});
