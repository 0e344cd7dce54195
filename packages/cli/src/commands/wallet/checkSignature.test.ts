import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestChain, type TestChain } from '@bulwark/contracts/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../../testing.ts';

const corpus = fileURLToPath(new URL('../../../../wallet/testdata/signatures/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'bulwark-check-signature-'));
const write = (name: string, value: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
};

/** An EIP-2612 permit as typed data, written to a file. */
const permitFile = (name: string, domain: Record<string, unknown>, message: Record<string, unknown>) =>
  write(name, {
    types: {
      Permit: ['owner', 'spender', 'value', 'nonce', 'deadline'].map((field) => ({
        name: field,
        type: field === 'owner' || field === 'spender' ? 'address' : 'uint256',
      })),
    },
    primaryType: 'Permit',
    domain,
    message,
  });

type Output = {
  risk: string;
  kind: string;
  findings: { id: string; severity: string; message: string }[];
  decoded: Record<string, unknown>;
  onChainChecked: boolean;
};

describe('bulwark wallet check-signature', () => {
  test('default: a Seaport give-away is critical, exit 1, JSON on stdout only', async () => {
    const result = await runCli([
      'wallet',
      'check-signature',
      `${corpus}drainer/seaport-zero-consideration.json`,
      '--format',
      'json',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    const output = JSON.parse(result.stdout) as Output;
    expect(output.risk).toBe('critical');
    expect(output.kind).toBe('seaport-order');
    expect(output.findings[0]).toMatchObject({ id: 'marketplace-giveaway', severity: 'critical' });
    expect((output.decoded.orders as { gives: unknown[] }[])[0]?.gives).toHaveLength(1);
  });

  test('behavior: a SIWE login is none and exits 0; --fail-on low still passes it', async () => {
    const file = `${corpus}benign/siwe-login.json`;
    const result = await runCli(['wallet', 'check-signature', file, '--chain-id', '1', '--fail-on', 'low']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^risk: none \(siwe-login, personal_sign\)/);
  });

  test('behavior: --fail-on decides the exit code', async () => {
    const file = `${corpus}benign/usdc-permit-exact-to-1inch.json`;
    expect((await runCli(['wallet', 'check-signature', file])).code).toBe(0);
    expect((await runCli(['wallet', 'check-signature', file, '--fail-on', 'low'])).code).toBe(1);
  });

  test('behavior: --trust makes an exact, short permit to your own contract low', async () => {
    const file = permitFile(
      'own-permit.json',
      { name: 'Token', chainId: 1, verifyingContract: '0x1111111111111111111111111111111111111111' },
      {
        owner: '0x2222222222222222222222222222222222222222',
        spender: '0x3333333333333333333333333333333333333333',
        value: '5',
        nonce: '0',
        deadline: String(Math.floor(Date.now() / 1000) + 600),
      },
    );
    const untrusted = JSON.parse(
      (await runCli(['wallet', 'check-signature', file, '--format', 'json'])).stdout,
    ) as Output;
    expect(untrusted.risk).toBe('medium');
    const trusted = await runCli([
      'wallet',
      'check-signature',
      file,
      '--format',
      'json',
      '--trust',
      '0x3333333333333333333333333333333333333333',
    ]);
    expect((JSON.parse(trusted.stdout) as Output).risk).toBe('low');
    const bad = await runCli(['wallet', 'check-signature', file, '--trust', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/'nope' is not an address/);
  });

  test('behavior: --chain-id other than the domain is a domain-mismatch', async () => {
    const file = `${corpus}benign/usdc-permit-exact-to-1inch.json`;
    const result = await runCli(['wallet', 'check-signature', file, '--chain-id', '10', '--format', 'json']);
    const output = JSON.parse(result.stdout) as Output;
    expect(output.risk).toBe('high');
    expect(output.findings.some((f) => f.id === 'domain-mismatch' && f.severity === 'high')).toBe(true);
  });

  test('error: a file that is not JSON, a shape not read, a bad flag: exit 2 with the place and the fix', async () => {
    const notJson = await runCli(['wallet', 'check-signature', write('bad.json', '{"domain": ')]);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/bad\.json is not JSON/);
    expect(notJson.stderr).not.toMatch(/\n\s+at /);
    const shape = await runCli(['wallet', 'check-signature', write('shape.json', { hello: 1 })]);
    expect(shape.code).toBe(2);
    expect(shape.stderr).toMatch(/neither typed data, a JSON-RPC request nor an EIP-7702 authorization/);
    const method = await runCli([
      'wallet',
      'check-signature',
      write('m.json', { method: 'eth_sendTransaction', params: [] }),
    ]);
    expect(method.stderr).toMatch(/method 'eth_sendTransaction' is not a signing method/);
    const level = await runCli(['wallet', 'check-signature', write('x.json', { hello: 1 }), '--fail-on', 'severe']);
    expect(level.code).toBe(2);
    expect(level.stderr).toMatch(/--fail-on severe is not a risk level/);
    const huge = await runCli([
      'wallet',
      'check-signature',
      write('huge.json', `{"pad": "${'x'.repeat(5 * 1024 * 1024)}"}`),
    ]);
    expect(huge.code).toBe(2);
    expect(huge.stderr).toMatch(/huge\.json is larger than 4 MB/);
    const missing = await runCli(['wallet', 'check-signature', join(dir, 'missing.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/Cannot read/);
  });

  test('behavior: --help lists every option and the exit codes', async () => {
    const result = await runCli(['wallet', 'check-signature', '--help']);
    expect(result.code).toBe(0);
    for (const flag of ['--format', '--chain-id', '--rpc', '--trust', '--fail-on'])
      expect(result.stdout).toContain(flag);
    expect(result.stdout).toMatch(/Exit codes: 0 .* 1 .* 2 /);
    expect((await runCli(['wallet', '--help'])).stdout).toContain('check-signature');
  });
});

describe('bulwark wallet check-signature --rpc', () => {
  let chain: TestChain;
  let oldContract: `0x${string}`;
  let freshContract: `0x${string}`;
  const permitTo = (spender: string) =>
    permitFile(
      `permit-${spender}.json`,
      { name: 'Token', chainId: 31337, verifyingContract: oldContract },
      { owner: chain.wallets[0]!.account.address, spender, value: '1000', nonce: '0', deadline: '4102444800' },
    );
  const run = async (file: string) =>
    JSON.parse(
      (
        await runCli([
          'wallet',
          'check-signature',
          file,
          '--rpc',
          chain.anvil.rpcUrl,
          '--chain-id',
          '31337',
          '--format',
          'json',
        ])
      ).stdout,
    ) as Output;

  beforeAll(async () => {
    chain = await startTestChain();
    const deployer = chain.wallets[0]!;
    oldContract = await chain.deploy(deployer, 'DemoToken', ['Old', 'OLD']);
    await chain.increaseTime(90 * 86_400);
    freshContract = await chain.deploy(deployer, 'DemoToken', ['Fresh', 'NEW']);
  }, 120_000);
  afterAll(() => chain?.stop());

  test('behavior: a plain-account spender is critical', async () => {
    const output = await run(permitTo(chain.wallets[5]!.account.address));
    expect(output.onChainChecked).toBe(true);
    expect(output.risk).toBe('critical');
    expect(output.findings.find((f) => f.id === 'spender-risk')).toMatchObject({ severity: 'critical' });
    expect(output.findings.find((f) => f.id === 'spender-risk')?.message).toMatch(/plain account/);
  });

  test('behavior: a contract created minutes ago is high, one 90 days old is not flagged by age', async () => {
    const fresh = await run(permitTo(freshContract));
    expect(fresh.risk).toBe('high');
    expect(fresh.findings.find((f) => f.id === 'spender-risk')?.message).toMatch(/created 0 day\(s\) ago/);
    const old = await run(permitTo(oldContract));
    expect(old.findings.find((f) => f.id === 'spender-risk')).toMatchObject({ severity: 'info' });
    expect(old.findings.find((f) => f.id === 'spender-risk')?.message).toMatch(/created 90 day\(s\) ago.*not checked/);
    // A bounded permit with a far deadline to an old, unknown contract.
    expect(old.risk).toBe('high');
  });

  test('behavior: an EIP-7702 delegate is looked up and the authorization stays critical', async () => {
    const file = write('authorization.json', { chainId: 31337, address: freshContract, nonce: 0 });
    const output = await run(file);
    expect(output.kind).toBe('eip7702-authorization');
    expect(output.risk).toBe('critical');
    expect(output.findings[0]?.message).toMatch(/delegates this account to .* \(a contract created 0 day\(s\) ago/);
    const anyChain = await run(write('authorization-any.json', { chainId: 0, address: freshContract, nonce: 0 }));
    expect(anyChain.findings[0]?.message).toMatch(/chainId 0: valid on every chain/);
  });
});
