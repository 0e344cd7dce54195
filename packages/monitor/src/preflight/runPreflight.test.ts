import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Address, type Hex, parseAbi } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseMonitorConfig } from '../config/loadConfig.ts';
import {
  deploySafe,
  type ResponderTestChain,
  safeArtifacts,
  startKeyedProxy,
  startResponderChain,
} from '../responder/testing.ts';
import { allRules } from '../rules/index.ts';
import { formatPreflight, type PreflightReport, runPreflight } from './runPreflight.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-preflight-'));
let chain: ResponderTestChain;
let guardianKey: Hex;
let vault: Address;
let keyed: { url: string; close(): Promise<void> };
const rpcKey = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';

beforeAll(async () => {
  chain = await startResponderChain();
  const guardian = await chain.newGuardian();
  guardianKey = guardian.privateKey;
  vault = await chain.deployPausable(guardian.account.address);
  keyed = await startKeyedProxy(chain.anvil.rpcUrl, rpcKey);
});

afterAll(async () => {
  await keyed?.close();
  await chain?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const file = (name: string, text: string) => {
  const at = path.join(dir, name);
  writeFileSync(at, text);
  return at;
};

// biome-ignore lint/suspicious/noExplicitAny: tests write configs freely.
type Raw = Record<string, any>;

const configOf = (contract: Raw = {}, extra: Raw = {}) =>
  parseMonitorConfig(
    {
      chains: [{ id: 31337, rpc: [keyed.url] }],
      contracts: [
        {
          chain: 31337,
          address: vault,
          name: 'Vault',
          breaker: { kind: 'guardian', autoPause: true, guardian: { privateKeyEnv: 'GUARDIAN_KEY' } },
          ...contract,
        },
      ],
      ...extra,
    },
    { rules: allRules, env: { GUARDIAN_KEY: guardianKey }, file: path.join(dir, 'monitor.json') },
  );

const preflight = (config: ReturnType<typeof configOf>, env: Raw = { GUARDIAN_KEY: guardianKey }) =>
  runPreflight(config, { env, timeoutMs: 2_000 });

const statuses = (report: PreflightReport) =>
  report.results.map((result) => `${result.status} ${result.check} ${result.where}`);

test('default: a sound config passes every check, each named', async () => {
  const abi = file('Vault.json', JSON.stringify({ abi: parseAbi(['function pause()', 'event Paused(address by)']) }));
  const report = await preflight(configOf({ abi }));
  expect(report.errors).toBe(0);
  expect(report.warnings).toBe(0);
  expect(statuses(report)).toEqual([
    'ok abi /contracts/0/abi',
    'ok endpoint /chains/0/rpc/0',
    'ok code /contracts/0/address',
    'ok responder /contracts/0/breaker',
  ]);
  expect(report.results[3]!.message).toMatch(/the guardian key 0x[0-9a-fA-F]{40} can pause it/);
  expect(formatPreflight(report, { okLines: true })).not.toContain(rpcKey);
});

describe('guardian', () => {
  test('error: a key that is not the contract guardian is refused, with the revert and the fix', async () => {
    const report = await preflight(configOf(), { GUARDIAN_KEY: generatePrivateKey() });
    expect(report.errors).toBe(1);
    const result = report.results.find((r) => r.check === 'responder')!;
    expect(result).toMatchObject({ status: 'error', where: '/contracts/0/breaker' });
    expect(result.message).toMatch(
      /pause\(\) reverts when sent from the guardian key's address 0x[0-9a-fA-F]{40}: NotGuardianOrAdmin/,
    );
    expect(result.fix).toMatch(/guardian.*allowUnpausable/);
  });

  test('behavior: allowUnpausable turns it into a warning, said so', async () => {
    const config = configOf({
      breaker: {
        kind: 'guardian',
        autoPause: true,
        allowUnpausable: true,
        guardian: { privateKeyEnv: 'GUARDIAN_KEY' },
      },
    });
    const report = await preflight(config, { GUARDIAN_KEY: generatePrivateKey() });
    expect(report.errors).toBe(0);
    expect(report.results.find((r) => r.check === 'responder')).toMatchObject({
      status: 'warning',
      message: expect.stringContaining('(allowed by breaker.allowUnpausable)'),
    });
  });

  test('error: a key that cannot be loaded is an error naming the variable', async () => {
    const report = await preflight(configOf(), { GUARDIAN_KEY: 'not-a-key' });
    expect(report.results.find((r) => r.check === 'responder')).toMatchObject({
      status: 'error',
      where: '/contracts/0/breaker/guardian',
      message: expect.stringContaining('GUARDIAN_KEY'),
    });
    expect(formatPreflight(report)).not.toContain('not-a-key');
  });
});

test('error: an address with no code is refused before any other check of it', async () => {
  const empty = privateKeyToAccount(generatePrivateKey()).address;
  const report = await preflight(configOf({ address: empty }));
  expect(statuses(report)).toEqual(['ok endpoint /chains/0/rpc/0', 'error code /contracts/0/address']);
  expect(report.results[1]!.message).toContain(`has no code on chain 31337`);
});

test('error: an endpoint serving another chain', async () => {
  const config = configOf({ chain: 1 }, { chains: [{ id: 1, rpc: [keyed.url] }] });
  const report = await preflight(config);
  expect(report.results[0]).toMatchObject({
    check: 'chain-id',
    status: 'error',
    message: expect.stringMatching(/serves chain 31337, not chain 1\./),
  });
  expect(report.results.at(-1)).toMatchObject({
    status: 'error',
    message: expect.stringContaining('No RPC endpoint of chain 1'),
  });
  expect(formatPreflight(report)).not.toContain(rpcKey);
});

test('behavior: a dead endpoint is named (key redacted); a warning while another works, an error when none does', async () => {
  const dead = `http://127.0.0.1:9/v3/${rpcKey}`;
  const failover = await preflight(configOf({}, { chains: [{ id: 31337, rpc: [dead, keyed.url] }] }));
  expect(failover.errors).toBe(0);
  expect(failover.results[0]).toMatchObject({
    check: 'endpoint',
    where: '/chains/0/rpc/0',
    status: 'warning',
    message: expect.stringMatching(/^RPC endpoint http:\/\/127\.0\.0\.1:9\/v3\/\*\*\* does not answer: .*fails over/),
  });
  expect(failover.results.find((r) => r.check === 'responder')?.status).toBe('ok');
  const none = await preflight(configOf({}, { chains: [{ id: 31337, rpc: [dead] }] }));
  expect(statuses(none)).toEqual(['error endpoint /chains/0/rpc/0', 'error endpoint /chains/0/rpc']);
  expect(formatPreflight(failover) + formatPreflight(none)).not.toContain(rpcKey);
});

test('error: an ABI that is not JSON, or not an ABI, is refused at the check', async () => {
  const notJson = await preflight(configOf({ abi: file('broken.json', '{ "abi": [') }));
  expect(notJson.results[0]).toMatchObject({
    check: 'abi',
    status: 'error',
    message: expect.stringContaining('is not JSON'),
  });
  const badType = file('bad.json', JSON.stringify([{ type: 'function', name: 'f', inputs: [{ type: 'uint257' }] }]));
  expect((await preflight(configOf({ abi: badType }))).results[0]!.message).toContain(
    "'uint257' is not a Solidity type",
  );
  const missing = await preflight(configOf({ abi: path.join(dir, 'nope.json') }));
  expect(missing.results[0]!.message).toMatch(/Cannot read the ABI .*nope\.json \(ENOENT\)/);
});

describe.skipIf(!safeArtifacts())('Safe', () => {
  test('default: a Safe that guards the contract passes; its owners and threshold are read', async () => {
    const owners = [privateKeyToAccount(generatePrivateKey()), privateKeyToAccount(generatePrivateKey())];
    const safe = await deploySafe(chain, { owners, threshold: 2 });
    const guarded = await chain.deployPausable(safe.address);
    const breaker = { kind: 'safe', autoPause: true, safe: { address: safe.address } };
    const report = await preflight(configOf({ address: guarded, breaker }));
    expect(report.results.find((r) => r.check === 'responder')).toMatchObject({
      status: 'ok',
      message: expect.stringContaining('(2 of 2 owner(s)) can pause it'),
    });
    // The Safe is not this contract's guardian: its owners could not pause it.
    const other = await preflight(configOf({ breaker }));
    expect(other.results.find((r) => r.check === 'responder')).toMatchObject({
      status: 'error',
      message: expect.stringMatching(/reverts when sent from the Safe .*NotGuardianOrAdmin/),
    });
    // An address that is not a Safe at all (the vault itself).
    const notSafe = await preflight(configOf({ address: guarded, breaker: { ...breaker, safe: { address: vault } } }));
    expect(notSafe.results.find((r) => r.check === 'responder')?.message).toContain(
      'does not answer getOwners() and getThreshold() as a Safe does',
    );
    // A proposer that is not an owner: a warning.
    const stranger = generatePrivateKey();
    const proposed = await runPreflight(
      parseMonitorConfig(
        {
          chains: [{ id: 31337, rpc: [keyed.url] }],
          contracts: [
            {
              chain: 31337,
              address: guarded,
              name: 'Guarded',
              breaker: { ...breaker, safe: { address: safe.address, proposerKeyEnv: 'PROPOSER' } },
            },
          ],
        },
        { rules: allRules, env: { PROPOSER: stranger }, file: path.join(dir, 'monitor.json') },
      ),
      { env: { PROPOSER: stranger } },
    );
    expect(proposed.results.find((r) => r.check === 'responder')).toMatchObject({
      status: 'warning',
      message: expect.stringContaining('is not an owner of the Safe'),
    });
  });
});

test('behavior: a contract paused already is a warning, not a refusal', async () => {
  const guardian = await chain.newGuardian();
  const paused = await chain.deployPausable(guardian.account.address);
  const hash = await chain.rpc<Hex>('eth_sendRawTransaction', [
    await guardian.account.signTransaction({
      chainId: 31337,
      to: paused,
      data: '0x8456cb59',
      gas: 100_000n,
      maxFeePerGas: 10n ** 11n,
      maxPriorityFeePerGas: 10n ** 9n,
      nonce: 0,
      type: 'eip1559',
    }),
  ]);
  await chain.mine();
  expect(hash).toMatch(/^0x/);
  expect(await chain.paused(paused)).toBe(true);
  const report = await preflight(configOf({ address: paused }), { GUARDIAN_KEY: guardian.privateKey });
  expect(report.results.find((r) => r.check === 'responder')).toMatchObject({
    status: 'warning',
    message: expect.stringContaining('is paused already'),
  });
});

test('error: a threat-intel list that start-up could not read is refused at the check', async () => {
  const good = file('intel.txt', '0x00000000000000000000000000000000000000aa drainer\n');
  const bad = file('intel-bad.txt', 'not-an-address label\n');
  const report = await preflight(configOf({}, { threatIntel: [good, bad] }));
  expect(report.results.filter((r) => r.check === 'threat-intel')).toEqual([
    expect.objectContaining({
      where: '/threatIntel/0',
      status: 'ok',
      message: expect.stringContaining('1 address(es)'),
    }),
    expect.objectContaining({
      where: '/threatIntel/1',
      status: 'error',
      message: expect.stringContaining("intel-bad.txt:1: 'not-an-address' is not an address."),
    }),
  ]);
});

test('behavior: a WebSocket is reached too; a dead one is a warning (heads then come by polling)', async () => {
  const live = await preflight(
    configOf({}, { chains: [{ id: 31337, rpc: [{ http: keyed.url, ws: chain.anvil.wsUrl, name: 'anvil' }] }] }),
  );
  expect(live.results.find((r) => r.where === '/chains/0/rpc/0/ws')).toMatchObject({ status: 'ok' });
  const dead = await preflight(
    configOf({}, { chains: [{ id: 31337, rpc: [{ http: keyed.url, ws: `ws://127.0.0.1:9/ws/${rpcKey}` }] }] }),
  );
  expect(dead.errors).toBe(0);
  expect(dead.results.find((r) => r.where === '/chains/0/rpc/0/ws')).toMatchObject({
    status: 'warning',
    message: expect.stringMatching(/^WebSocket ws:\/\/127\.0\.0\.1:9\/ws\/\*\*\* does not answer/),
  });
  expect(formatPreflight(dead)).not.toContain(rpcKey);
});
