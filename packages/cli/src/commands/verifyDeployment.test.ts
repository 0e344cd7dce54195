import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type Anvil,
  artifactsDir,
  compileSources,
  type DemoProtocol,
  type DeployWalletClient,
  deployContract,
  deployDemoProtocol,
  solidityDir,
  startAnvil,
} from '@bulwark/contracts';
import { getIncidentTimeline, listDeployments, listIncidents, listLog } from '@bulwark/store';
import { type Address, createPublicClient, createWalletClient, http, type PublicClient } from 'viem';
import { foundry } from 'viem/chains';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { describeCli } from '../testing.ts';

const yaml = (entries: { name: string; artifact: string; address: string; status?: string }[]) => `project:
  name: Demo
contracts:
${entries
  .map(
    (entry) => `  - name: ${entry.name}
    sources: [${entry.name}.sol]
    artifact: ${entry.artifact}
    deployments:
      - network: anvil
        chainId: 31337
        rpc: DEMO_RPC_URL
        address: "${entry.address}"
        status: ${entry.status ?? 'deployed'}
`,
  )
  .join('')}`;

describeCli('bulwark verify-deployment', (ctx) => {
  let anvil: Anvil;
  let publicClient: PublicClient;
  let wallet: DeployWalletClient;
  let demo: DemoProtocol;
  let dir: string;
  let env: Record<string, string>;
  const artifact = (name: string) => join(artifactsDir, `${name}.json`);

  beforeAll(async () => {
    anvil = await startAnvil();
    const transport = http(anvil.rpcUrl);
    publicClient = createPublicClient({ chain: foundry, transport, pollingInterval: 25 });
    const [account] = await createWalletClient({ chain: foundry, transport }).getAddresses();
    wallet = createWalletClient({ account, chain: foundry, transport, pollingInterval: 25 }) as DeployWalletClient;
    demo = await deployDemoProtocol(wallet, publicClient, { seed: false });
    dir = mkdtempSync(join(tmpdir(), 'bulwark-verify-'));
    env = { DEMO_RPC_URL: anvil.rpcUrl, BULWARK_ACTOR: 'release-bot' };
  }, 180_000);
  afterAll(async () => {
    await anvil?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const manifest = (name: string, entries: Parameters<typeof yaml>[0]) => {
    writeFileSync(join(dir, name), yaml(entries));
    return name;
  };

  test('default: the demo contracts match their artifacts (immutables and metadata aside); the store records it', async () => {
    const file = manifest('match.yaml', [
      { name: 'DemoVault', artifact: artifact('DemoVault'), address: demo.addresses.vault },
      { name: 'DemoLendingMarket', artifact: artifact('DemoLendingMarket'), address: demo.addresses.lendingMarket },
      { name: 'DemoToken', artifact: artifact('DemoToken'), address: demo.addresses.debtToken },
    ]);
    const result = await ctx.run(['verify-deployment', '--manifest', file], { cwd: dir, env });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(
        `^match {5}DemoVault on chain 31337 \\(anvil\\) at ${demo.addresses.vault.toLowerCase()}\\n {10}code hash 0x[0-9a-f]{64}\\n`,
      ),
    );
    expect(result.stdout).toContain('3 match, 0 failed, 0 pending, 0 not checked (error).');
    expect(result.stdout).not.toContain(anvil.rpcUrl);

    const deployments = await listDeployments(ctx.store, { network: '31337' });
    expect(deployments.map((d) => [d.contractName, d.address, d.status])).toEqual([
      ['DemoLendingMarket', demo.addresses.lendingMarket.toLowerCase(), 'deployed'],
      ['DemoToken', demo.addresses.debtToken.toLowerCase(), 'deployed'],
      ['DemoVault', demo.addresses.vault.toLowerCase(), 'deployed'],
    ]);
    for (const deployment of deployments) expect(deployment.bytecodeHash).toMatch(/^0x[0-9a-f]{64}$/);
    const log = await listLog<{ result: string; contract: string; expectedHash: string }>(ctx.store, {
      action: 'deployment.verify',
    });
    expect(log.map((entry) => [entry.actor, entry.payload.contract, entry.payload.result])).toEqual([
      ['release-bot', 'DemoVault', 'match'],
      ['release-bot', 'DemoLendingMarket', 'match'],
      ['release-bot', 'DemoToken', 'match'],
    ]);
    expect((await listLog(ctx.store, { action: 'manifest.sync' })).length).toBe(1);
    expect(await listIncidents(ctx.store)).toEqual([]);
  });

  test('behavior: a build with another metadata hash still matches the artifact', async () => {
    // The same token source with a comment added: the same code, another metadata hash.
    const source = readFileSync(join(solidityDir, 'demo/DemoToken.sol'), 'utf8');
    const rebuilt = await compileSources(
      new Map([['demo/DemoToken.sol', `${source}\n// rebuilt: only the metadata differs\n`]]),
    );
    const address = await deployContract(wallet, publicClient, {
      artifact: rebuilt.contracts.DemoToken,
      args: ['Rebuilt', 'RBT'],
    });
    const onChain = await publicClient.getCode({ address });
    const original = JSON.parse(readFileSync(artifact('DemoToken'), 'utf8')) as { deployedBytecode: string };
    expect(onChain).not.toBe(original.deployedBytecode);
    expect(onChain?.slice(0, -106)).toBe(original.deployedBytecode.slice(0, -106));

    const file = manifest('rebuilt.yaml', [{ name: 'DemoToken', artifact: artifact('DemoToken'), address }]);
    const result = await ctx.run(['verify-deployment', '--manifest', file, '--format', 'json'], { cwd: dir, env });
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as {
      ok: boolean;
      checks: { result: string; expectedHash: string; actualHash: string }[];
    };
    expect(json.ok).toBe(true);
    expect(json.checks).toHaveLength(1);
    expect(json.checks[0].result).toBe('match');
    expect(json.checks[0].actualHash).toBe(json.checks[0].expectedHash);
  });

  test('behavior: another contract at the recorded address is a mismatch: exit 1, a high incident with both hashes, a log entry', async () => {
    // The manifest records the AMM's address for the token: the code there is the AMM's.
    const file = manifest('wrong.yaml', [
      { name: 'DemoToken', artifact: artifact('DemoToken'), address: demo.addresses.amm },
    ]);
    const result = await ctx.run(['verify-deployment', '--manifest', file], { cwd: dir, env });
    expect(result.code).toBe(1);
    const amm = demo.addresses.amm.toLowerCase();
    expect(result.stdout).toMatch(
      new RegExp(
        `^MISMATCH  DemoToken on chain 31337 \\(anvil\\) at ${amm}\\n {10}expected  (0x[0-9a-f]{64})\\n {10}deployed  (0x[0-9a-f]{64})\\n {10}the code at ${amm} differs from .*DemoToken\\.json\\.\\n {10}incident (\\S+) opened \\(severity high\\)\\n`,
      ),
    );
    const [, expected, deployed, incidentId] =
      /expected {2}(\S+)\n {10}deployed {2}(\S+)[\s\S]*incident (\S+) opened/.exec(result.stdout)!;
    expect(expected).not.toBe(deployed);

    const incidents = await listIncidents(ctx.store, { address: amm });
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({
      id: incidentId,
      severity: 'high',
      state: 'detected',
      chainId: 31337,
      title: 'Deployed code of DemoToken on chain 31337 does not match its artifact',
    });
    const [opened] = await getIncidentTimeline(ctx.store, incidentId);
    expect(opened.data).toMatchObject({ expectedHash: expected, actualHash: deployed, contract: 'DemoToken' });
    const [deployment] = await listDeployments(ctx.store, { contractName: 'DemoToken', network: '31337' }).then((d) =>
      d.filter((x) => x.address === amm),
    );
    expect(deployment.status).toBe('mismatch');
    const log = await listLog<Record<string, unknown>>(ctx.store, { action: 'deployment.verify' });
    expect(log.at(-1)?.payload).toMatchObject({
      result: 'mismatch',
      expectedHash: expected,
      actualHash: deployed,
      incidentId,
    });

    // Checking again adds to the open incident instead of opening another.
    expect((await ctx.run(['verify-deployment', '--manifest', file], { cwd: dir, env })).code).toBe(1);
    expect(await listIncidents(ctx.store, { address: amm })).toHaveLength(1);
    expect((await getIncidentTimeline(ctx.store, incidentId)).map((e) => e.kind)).toEqual([
      'opened',
      'deployment-mismatch',
    ]);
  });

  test('behavior: a contract replaced at its address (anvil_setCode) is caught; no code at all is caught too', async () => {
    const other = await deployContract(wallet, publicClient, {
      artifact: demo.artifacts.contracts.DemoToken,
      args: ['Victim', 'VIC'],
    });
    const file = manifest('replaced.yaml', [{ name: 'DemoToken', artifact: artifact('DemoToken'), address: other }]);
    expect((await ctx.run(['verify-deployment', '--manifest', file], { cwd: dir, env })).code).toBe(0);
    const drainer = await publicClient.getCode({ address: demo.addresses.flashLender });
    await publicClient.request({ method: 'anvil_setCode' as 'eth_chainId', params: [other, drainer] as never });
    const replaced = await ctx.run(['verify-deployment', '--manifest', file], { cwd: dir, env });
    expect(replaced.code).toBe(1);
    expect(replaced.stdout).toMatch(/^MISMATCH /);

    const empty = '0x000000000000000000000000000000000000dEaD' as Address;
    const none = manifest('none.yaml', [{ name: 'DemoVault', artifact: artifact('DemoVault'), address: empty }]);
    const missing = await ctx.run(['verify-deployment', '--manifest', none], { cwd: dir, env });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain(
      'NO CODE   DemoVault on chain 31337 (anvil) at 0x000000000000000000000000000000000000dead',
    );
    expect(missing.stdout).toContain('expected  0x');
    expect(missing.stdout).toContain('deployed  (no code)');
    const [incident] = await listIncidents(ctx.store, { address: empty });
    expect(incident).toMatchObject({
      severity: 'high',
      title: 'No code at the recorded address of DemoVault on chain 31337',
    });

    // A planned deployment with no code yet is pending, not a failure.
    const planned = manifest('planned.yaml', [
      {
        name: 'DemoVault',
        artifact: artifact('DemoVault'),
        address: '0x000000000000000000000000000000000000bEEF',
        status: 'planned',
      },
    ]);
    const pending = await ctx.run(['verify-deployment', '--manifest', planned], { cwd: dir, env });
    expect(pending.code).toBe(0);
    expect(pending.stdout).toContain('pending   DemoVault on chain 31337 (anvil)');
  });

  test('behavior: the example manifest (examples/bulwark.config.yaml) matches the demo protocol on a fresh anvil', async () => {
    const example = fileURLToPath(new URL('../../../../examples/bulwark.config.yaml', import.meta.url));
    const result = await ctx.run(['verify-deployment', '--manifest', example, '--contract', 'DemoToken'], {
      cwd: dir,
      env,
    });
    expect(result.stdout).toContain('2 match, 0 failed');
    const all = await ctx.run(['verify-deployment', '--manifest', example], { cwd: dir, env });
    expect(all.stdout).toContain('7 match, 0 failed, 0 pending, 0 not checked (error).');
    expect(all.code).toBe(0);
  });

  test('error: no RPC, the wrong chain, an RPC that does not answer — exit 2, and no URL or key printed', async () => {
    const file = manifest('rpc.yaml', [
      { name: 'DemoToken', artifact: artifact('DemoToken'), address: demo.addresses.debtToken },
    ]);
    const unset = await ctx.run(['verify-deployment', '--manifest', file], { cwd: dir, env: {} });
    expect(unset.code).toBe(2);
    expect(unset.stdout).toContain(
      'No RPC for chain 31337: the variable DEMO_RPC_URL is not set (set it, or pass --rpc URL).',
    );

    const wrongChain = await ctx.run(
      ['verify-deployment', '--manifest', file, '--rpc', anvil.rpcUrl, '--network', '1'],
      {
        cwd: dir,
      },
    );
    expect(wrongChain.code).toBe(2);
    expect(wrongChain.stderr).toContain('The RPC given with --rpc serves chain 31337, not chain 1.');

    const secret = 'http://127.0.0.1:9/v3/0123456789abcdef0123456789abcdef';
    const down = await ctx.run(['verify-deployment', '--manifest', file], { cwd: dir, env: { DEMO_RPC_URL: secret } });
    expect(down.code).toBe(2);
    expect(down.stdout).toContain('The RPC $DEMO_RPC_URL did not answer');
    expect(`${down.stdout}${down.stderr}`).not.toContain('0123456789abcdef');
    expect(`${down.stdout}${down.stderr}`).not.toContain('127.0.0.1:9');

    const withKey = await ctx.run(['verify-deployment', '--manifest', file, '--rpc', secret], { cwd: dir });
    expect(withKey.code).toBe(2);
    expect(withKey.stderr).toContain('error: The RPC --rpc did not answer');
    expect(`${withKey.stdout}${withKey.stderr}`).not.toContain('0123456789abcdef');

    const usage = await ctx.run(['verify-deployment', '--network', 'mainnet'], { cwd: dir });
    expect(usage).toMatchObject({ code: 2, stdout: '' });
    expect(usage.stderr).toContain('--network mainnet is not a chain id.');
  });
});
