import { deployDemoProtocol } from '@bulwark/contracts';
import { startTestChain, type TestChain } from '@bulwark/contracts/testing';
import type { Address } from 'viem';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { LoadedManifest, ManifestContract } from '../../manifest/types.ts';
import { pausableCheck } from './pausableCheck.ts';
import { readPauseFacts } from './readPauseFacts.ts';

/** The demo protocol on anvil: a vault with the GuardianPausable breaker, and a token without one. */
describe('pause facts from the chain', () => {
  let chain: TestChain;
  let guardian: Address;
  let stranger: Address;
  let vault: Address;
  let token: Address;
  const env = { TEST_RPC: '' };

  beforeAll(async () => {
    chain = await startTestChain();
    env.TEST_RPC = chain.anvil.rpcUrl;
    const [admin, guardianWallet, strangerWallet] = chain.wallets;
    guardian = guardianWallet!.account.address;
    stranger = strangerWallet!.account.address;
    const protocol = await deployDemoProtocol(admin!, chain.publicClient, { guardian, artifacts: chain.artifacts });
    vault = protocol.addresses.vault;
    token = protocol.addresses.debtToken;
  }, 120_000);
  afterAll(async () => {
    await chain?.stop();
  });

  const manifest = (contracts: (Pick<ManifestContract, 'name' | 'pausable'> & { address: Address })[]) =>
    ({
      manifest: {
        project: { name: 'p' },
        contracts: contracts.map(({ address, ...c }) => ({
          ...c,
          holdsValue: true,
          sources: ['src/V.sol'],
          deployments: [{ chainId: 31337, rpc: 'TEST_RPC', address, status: 'deployed' }],
        })),
      },
      path: '/p/bulwark.config.yaml',
      dir: '/p',
      format: 'yaml',
      sha256: '0'.repeat(64),
    }) as LoadedManifest;
  const code = { findings: [], source: 'the gate’s scan' };

  test('default: a Pausable contract whose declared guardian can pause confirms the claim', async () => {
    const loaded = manifest([{ name: 'Vault', pausable: { guardian }, address: vault }]);
    const facts = await readPauseFacts(loaded, { env });
    expect(facts).toEqual([
      {
        contract: 'Vault',
        chainId: 31337,
        address: vault,
        rpc: '$TEST_RPC',
        guardian,
        paused: false,
        guardianCanPause: true,
      },
    ]);
    expect(pausableCheck(loaded, code, facts).status).toBe('pass');
  });

  test('behavior: a pausable claim on a contract without paused(), or with a guardian that cannot pause, fails with both facts', async () => {
    const loaded = manifest([
      { name: 'Token', pausable: true, address: token },
      { name: 'Vault', pausable: { guardian: stranger }, address: vault },
    ]);
    const facts = await readPauseFacts(loaded, { env });
    expect(facts.map((f) => [f.contract, f.paused, f.guardianCanPause])).toEqual([
      ['Token', undefined, undefined],
      ['Vault', false, false],
    ]);
    const result = pausableCheck(loaded, code, facts);
    expect(result.status).toBe('fail');
    expect(result.reason).toContain(
      `Token is declared pausable, but the contract at ${token} on chain 31337 ($TEST_RPC) has no paused() function`,
    );
    expect(result.reason).toMatch(
      new RegExp(
        `Vault is declared pausable, but at ${vault} on chain 31337 \\(\\$TEST_RPC\\), pause\\(\\) called from the declared guardian ${stranger} reverts \\(.+\\)`,
      ),
    );
  });

  test('error: an RPC that does not answer warns without its URL', async () => {
    const loaded = manifest([{ name: 'Vault', pausable: { guardian }, address: vault }]);
    const facts = await readPauseFacts(loaded, { env: { TEST_RPC: 'http://user:secret@127.0.0.1:9/' } });
    const result = pausableCheck(loaded, code, facts);
    expect(result.status).toBe('warn');
    expect(result.reason).toMatch(/The chain could not be read for Vault \(\$TEST_RPC did not answer: /);
    expect(JSON.stringify(result)).not.toContain('secret');
  });
});
