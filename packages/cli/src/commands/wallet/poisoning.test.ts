import { deployContract } from '@bulwark/contracts';
import { startTestChain, type TestChain } from '@bulwark/contracts/testing';
import { testTokenArtifacts } from '@bulwark/wallet/testing';
import { type Abi, type Address, encodeFunctionData, type Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../../testing.ts';

const friend: Address = '0xabcd000000000000000000000000000000001111';
const lookalike: Address = '0xabcd999999999999999999999999999999991111';

describe('bulwark wallet poisoning', () => {
  let chain: TestChain;
  let me: Address;

  beforeAll(async () => {
    const [started, artifacts] = await Promise.all([startTestChain(), testTokenArtifacts()]);
    chain = started;
    me = chain.wallets[0]!.account.address;
    const artifact = artifacts.contracts.TestToken!;
    const token = await deployContract(chain.wallets[0]!, chain.publicClient, { artifact, args: ['USD', 'USD'] });
    const rpc = (method: string, params: unknown[]) =>
      chain.publicClient.request({ method: method as never, params: params as never });
    const sendAs = async (from: Address, functionName: string, args: unknown[]) => {
      await rpc('anvil_impersonateAccount', [from]);
      await rpc('anvil_setBalance', [from, '0xde0b6b3a7640000']);
      const data = encodeFunctionData({ abi: artifact.abi as Abi, functionName, args });
      const hash = (await rpc('eth_sendTransaction', [{ from, to: token, data }])) as Hex;
      await chain.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 25 });
    };
    await sendAs(me, 'mint', [me, 10n ** 12n]);
    await sendAs(me, 'transfer', [friend, 10n ** 9n]);
    await sendAs(chain.wallets[8]!.account.address, 'transferFrom', [me, lookalike, 0n]);
  }, 120_000);
  afterAll(() => chain?.stop());
  const poisoning = (args: string[]) => runCli(['wallet', 'poisoning', me, '--rpc', chain.anvil.rpcUrl, ...args]);

  test('default: the planted look-alike is reported, exit 1, clean JSON', async () => {
    const result = await poisoning(['--format', 'json']);
    expect(result.code).toBe(1);
    const output = JSON.parse(result.stdout) as {
      findings: { lookalike: string; imitates: string[]; evidence: { kind: string }[] }[];
    };
    expect(output.findings).toHaveLength(1);
    expect(output.findings[0]!.lookalike.toLowerCase()).toBe(lookalike);
    expect(output.findings[0]!.evidence[0]!.kind).toBe('zero-value-transfer-from-owner');
  });

  test('behavior: --destination judges the address about to be paid', async () => {
    const bad = await poisoning(['--destination', '0xabcd777777777777777777777777777777771111']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^Destination 0xabCD7777.* looks like 0xaBcD0000/im);
    // With longer matches required nothing is a look-alike and the real friend is fine.
    const strict = await poisoning(['--prefix', '6', '--destination', friend]);
    expect(strict.code).toBe(0);
    expect(strict.stdout).toMatch(/^0 look-alike\(s\)/);
    expect(strict.stdout).toMatch(/not a look-alike of a counterparty/);
  });

  test('behavior: --counterparty adds an address book entry whose look-alikes are reported', async () => {
    // A friend never paid in this history: 0xabcd…2222; the test sends nothing from its look-alike, so only the entry shows.
    const result = await poisoning([
      '--counterparty',
      `${friend},0x5555000000000000000000000000000000002222`,
      '--format',
      'json',
    ]);
    expect(result.stderr).toBe('');
    const output = JSON.parse(result.stdout) as { counterparties: string[] };
    expect(output.counterparties.map((a) => a.toLowerCase())).toContain('0x5555000000000000000000000000000000002222');
    const viaBook = await poisoning([
      '--counterparty',
      '0x5555000000000000000000000000000000002222',
      '--destination',
      '0x5555999999999999999999999999999999992222',
    ]);
    expect(viaBook.code).toBe(1);
    expect(viaBook.stdout).toMatch(/looks like 0x5555000000000000000000000000000000002222/i);
  });

  test('error: a bad --prefix, --help', async () => {
    const bad = await poisoning(['--prefix', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--prefix x is not a count/);
    const native = await poisoning(['--native']);
    expect(native.code).toBe(2);
    expect(native.stderr).toMatch(/--native reads every block of the range: give --from-block/);
    const help = await runCli(['wallet', 'poisoning', '--help']);
    expect(help.code).toBe(0);
    for (const flag of [
      '--rpc',
      '--destination',
      '--counterparty',
      '--native',
      '--prefix',
      '--suffix',
      '--from-block',
      '--format',
    ])
      expect(help.stdout).toContain(flag);
  });
});
