import { type DeployWalletClient, deployContract } from '@bulwark/contracts';
import { startTestChain, type TestChain } from '@bulwark/contracts/testing';
import { testTokenArtifacts } from '@bulwark/wallet/testing';
import { type Abi, type Address, maxUint256 } from 'viem';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../../testing.ts';

describe('bulwark wallet approvals', () => {
  let chain: TestChain;
  let owner: DeployWalletClient;
  let token: Address;

  beforeAll(async () => {
    const [started, artifacts] = await Promise.all([startTestChain(), testTokenArtifacts()]);
    chain = started;
    owner = chain.wallets[0]!;
    const artifact = artifacts.contracts.TestToken!;
    token = await deployContract(owner, chain.publicClient, { artifact, args: ['Token', 'TKN'] });
    const call = (functionName: string, args: unknown[]) =>
      chain.write(owner, { address: token, abi: artifact.abi as Abi, functionName, args });
    await call('approve', [chain.wallets[2]!.account.address, maxUint256]);
    await call('approve', [token, 42n]);
  }, 120_000);
  afterAll(() => chain?.stop());

  test('default: JSON lists live approvals with flags and revoke data; --fail-on high exits 1', async () => {
    const result = await runCli([
      'wallet',
      'approvals',
      owner.account.address,
      '--rpc',
      chain.anvil.rpcUrl,
      '--format',
      'json',
      '--fail-on',
      'high',
    ]);
    expect(result.code).toBe(1);
    const output = JSON.parse(result.stdout) as {
      approvals: {
        spender: string;
        risk: string;
        flags: string[];
        allowance: string;
        revoke: { to: string; data: string };
      }[];
    };
    expect(output.approvals).toHaveLength(2);
    const toAccount = output.approvals.find((a) => a.spender === chain.wallets[2]!.account.address);
    expect(toAccount).toMatchObject({
      spender: chain.wallets[2]!.account.address,
      risk: 'high',
      flags: ['unlimited', 'plain-account'],
      allowance: maxUint256.toString(),
      revoke: { to: token },
    });
    // approve(spender, 0)
    expect(toAccount!.revoke.data).toMatch(/^0x095ea7b3[0-9a-f]{64}0{64}$/);
    expect(output.approvals.find((a) => a.spender === token)).toMatchObject({
      risk: 'high',
      flags: ['recent-contract'],
      allowance: '42',
    });
  });

  test('behavior: text output names the risk and the revoke transaction; without --fail-on exit 0', async () => {
    const result = await runCli(['wallet', 'approvals', owner.account.address, '--rpc', chain.anvil.rpcUrl]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^2 live approval\(s\) granted by/);
    expect(result.stdout).toMatch(/HIGH +erc20 +token .* → 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC/);
    expect(result.stdout).toContain(`revoke: to ${token} data 0x095ea7b3`);
  });

  test('error: no --rpc, a bad address, an unreachable node: exit 2 with a clear message', async () => {
    const noRpc = await runCli(['wallet', 'approvals', owner.account.address]);
    expect(noRpc.code).toBe(2);
    expect(noRpc.stderr).toMatch(/needs --rpc URL/);
    const bad = await runCli(['wallet', 'approvals', '0x1234', '--rpc', chain.anvil.rpcUrl]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/'0x1234' is not an address/);
    const down = await runCli([
      'wallet',
      'approvals',
      owner.account.address,
      '--rpc',
      'http://user:secret@127.0.0.1:9/',
    ]);
    expect(down.code).toBe(2);
    expect(down.stderr).not.toContain('secret');
    expect(down.stderr).not.toMatch(/\n\s+at /);
  });
});
