import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Anvil, startAnvil } from '@bulwark/contracts';
import {
  type Abi,
  type Address,
  createPublicClient,
  createWalletClient,
  encodeFunctionData,
  type Hex,
  http,
  zeroAddress,
} from 'viem';
import { foundry } from 'viem/chains';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { LoadedManifest, ManifestAdmin } from '../../manifest/types.ts';
import { adminCheck } from './adminCheck.ts';
import { readAdminFacts } from './readAdminFacts.ts';

/** Real admin contracts on anvil: a Safe (proxy + singleton from @safe-global) and OpenZeppelin's TimelockController. */
const require = createRequire(import.meta.url);
const artifact = (module: string) => {
  const json = JSON.parse(readFileSync(require.resolve(module), 'utf8')) as { abi: Abi; bytecode: Hex };
  return { abi: json.abi, bytecode: json.bytecode };
};
const safeSingleton = artifact('@safe-global/safe-contracts/build/artifacts/contracts/Safe.sol/Safe.json');
const safeProxy = artifact(
  '@safe-global/safe-contracts/build/artifacts/contracts/proxies/SafeProxy.sol/SafeProxy.json',
);
const timelock = artifact('@openzeppelin/contracts/build/contracts/TimelockController.json');

describe('admin facts from the chain', () => {
  let anvil: Anvil;
  let owners: Address[];
  const addresses: Record<string, Address> = {};
  const env = { TEST_RPC: '' };

  beforeAll(async () => {
    anvil = await startAnvil();
    env.TEST_RPC = anvil.rpcUrl;
    const transport = http(anvil.rpcUrl);
    const publicClient = createPublicClient({ chain: foundry, transport });
    owners = await createWalletClient({ chain: foundry, transport }).getAddresses();
    const wallet = createWalletClient({ account: owners[0]!, chain: foundry, transport });
    const deploy = async (a: { abi: Abi; bytecode: Hex }, args: unknown[] = []) => {
      const hash = await wallet.deployContract({ abi: a.abi, bytecode: a.bytecode, args });
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      return receipt.contractAddress!;
    };
    const safe = async (threshold: number, signers: Address[]) => {
      const proxy = await deploy(safeProxy, [addresses.singleton]);
      const data = encodeFunctionData({
        abi: safeSingleton.abi,
        functionName: 'setup',
        args: [signers, BigInt(threshold), zeroAddress, '0x', zeroAddress, zeroAddress, 0n, zeroAddress],
      });
      const hash = await wallet.sendTransaction({ to: proxy, data });
      expect((await publicClient.waitForTransactionReceipt({ hash })).status).toBe('success');
      return proxy;
    };
    addresses.singleton = await deploy(safeSingleton);
    addresses.safe2of3 = await safe(2, owners.slice(1, 4));
    addresses.safe1of3 = await safe(1, owners.slice(1, 4));
    addresses.timelock = await deploy(timelock, [172_800n, [owners[1]], [owners[2]], zeroAddress]);
  }, 120_000);
  afterAll(async () => {
    await anvil?.stop();
  });

  const manifest = (contracts: { name: string; admin: ManifestAdmin }[]): LoadedManifest =>
    ({
      manifest: {
        project: { name: 'p' },
        contracts: contracts.map((c) => ({
          ...c,
          sources: ['src/V.sol'],
          deployments: [{ chainId: 31337, rpc: 'TEST_RPC', address: owners[9], status: 'deployed' }],
        })),
      },
      path: '/p/bulwark.config.yaml',
      dir: '/p',
      format: 'yaml',
      sha256: '0'.repeat(64),
    }) as LoadedManifest;

  test('default: a 2-of-3 Safe and a 2-day timelock confirm the manifest', async () => {
    const loaded = manifest([
      { name: 'Vault', admin: { kind: 'multisig', address: addresses.safe2of3!, threshold: 2 } },
      { name: 'Token', admin: { kind: 'timelock', address: addresses.timelock!, delay: 86_400 } },
    ]);
    const facts = await readAdminFacts(loaded, { env });
    expect(facts.map((f) => [f.contract, f.kind, f.threshold ?? f.minDelay])).toEqual([
      ['Vault', 'safe', 2],
      ['Token', 'timelock', 172_800],
    ]);
    expect(facts[0]!.owners).toEqual(owners.slice(1, 4));
    const result = adminCheck(loaded, facts);
    expect(result).toMatchObject({
      status: 'pass',
      reason:
        'Admin powers of 2 contract(s) are behind a multisig or timelock, or absent; confirmed on chain for Vault, Token.',
      details: { confirmedOnChain: true },
    });
  });

  test('behavior: a multisig claim on an EOA or a 1-of-3 Safe, a timelock claim on a Safe, fail with both facts', async () => {
    const loaded = manifest([
      { name: 'A', admin: { kind: 'multisig', address: owners[5]!, threshold: 2 } },
      { name: 'B', admin: { kind: 'multisig', address: addresses.safe1of3!, threshold: 2 } },
      { name: 'C', admin: { kind: 'timelock', address: addresses.safe2of3!, delay: 3600 } },
      { name: 'D', admin: { kind: 'timelock', address: addresses.timelock!, delay: 604_800 } },
    ]);
    const result = adminCheck(loaded, await readAdminFacts(loaded, { env }));
    expect(result.status).toBe('fail');
    expect(result.reason).toBe(
      [
        `A's admin is declared a multisig, but ${owners[5]} on chain 31337 ($TEST_RPC) has no code: it is a single key.`,
        `B's admin is declared a multisig, but ${addresses.safe1of3} on chain 31337 ($TEST_RPC) is a Safe with threshold 1 of 3 owners.`,
        `C's admin is declared a timelock, but ${addresses.safe2of3} on chain 31337 ($TEST_RPC) is a Safe with threshold 2 of 3 owners.`,
        `D's admin is declared a timelock with a delay of 604800 s, but ${addresses.timelock} on chain 31337 ($TEST_RPC) is a timelock with a minimum delay of 172800 s.`,
      ].join(' '),
    );
  });

  test('error: an RPC that does not answer warns without its URL, and the claim is not confirmed', async () => {
    const loaded = manifest([{ name: 'V', admin: { kind: 'multisig', address: addresses.safe2of3!, threshold: 2 } }]);
    const facts = await readAdminFacts(loaded, { env: { TEST_RPC: 'http://user:secret@127.0.0.1:9/' } });
    const result = adminCheck(loaded, facts);
    expect(result.status).toBe('warn');
    expect(result.reason).toMatch(/^The chain could not be read for V \(\$TEST_RPC did not answer: /);
    expect(JSON.stringify(result)).not.toContain('secret');
    expect(result.details?.confirmedOnChain).toBe(false);
  });
});
