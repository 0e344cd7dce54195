/**
 * Drills against real processes: the real `bulwark` binary (spawned, as an operator runs it),
 * anvil, and a TCP proxy in front of anvil that the test cuts and restores (the chain keeps its
 * state, as a node behind a failed network link does).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTcpProxy, type TcpProxy } from '@bulwark/chain/testing';
import { type ResponderTestChain, startResponderChain } from '@bulwark/monitor/responder/testing';
import { openStore } from '@bulwark/store';
import type { Address, Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { guardedVaultConfig, killSpawnedClis, type SpawnedCli, spawnCli, waitFor } from '../testing.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-monitor-drill-'));
const rpcKey = 'f00dfeedc0ffee0123456789abcdef42';
let chain: ResponderTestChain;
let proxy: TcpProxy;
let guardianKey: Hex;
let vault: Address;

beforeAll(async () => {
  chain = await startResponderChain();
  const guardian = await chain.newGuardian();
  guardianKey = guardian.privateKey;
  vault = await chain.deployPausable(guardian.account.address);
  proxy = await startTcpProxy(Number(new URL(chain.anvil.rpcUrl).port));
  // One store for the drills that run, created here (PGlite's first open of a folder is slow).
  const store = await openStore({ dataDir: path.join(dir, 'db') });
  await store.close();
});

afterAll(async () => {
  killSpawnedClis();
  await proxy?.close();
  await chain?.stop();
  rmSync(dir, { recursive: true, force: true });
});

// biome-ignore lint/suspicious/noExplicitAny: drills write configs freely.
type Raw = Record<string, any>;

/** A config file: anvil behind the proxy, the vault with its guardian; `change` breaks it. */
function configFile(change: (config: Raw) => void = () => {}): string {
  const config: Raw = guardedVaultConfig({ rpc: `http://127.0.0.1:${proxy.port}`, vault });
  change(config);
  const file = path.join(dir, `monitor-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/** The CLI in the drill's folder, its own store (DATABASE_URL empty), `env` added. */
const runCli = (args: string[], env: Record<string, string> = {}): SpawnedCli => spawnCli(args, { cwd: dir, env });

describe('bad configs are refused at --check and at start, with the place and the fix', () => {
  const env = () => ({ GUARDIAN_KEY: guardianKey });
  const cases: { name: string; change: (config: Raw) => void; env?: () => Record<string, string>; where: RegExp }[] = [
    {
      name: 'a guardian key that is not the contract guardian',
      change: () => {},
      env: () => ({ GUARDIAN_KEY: generatePrivateKey() }),
      where:
        /\/contracts\/0\/breaker: Vault: pause\(\) reverts when sent from the guardian key's address 0x[0-9a-fA-F]{40}: NotGuardianOrAdmin/,
    },
    {
      name: 'an address with no code',
      change: (config) => {
        config.contracts[0].address = privateKeyToAccount(generatePrivateKey()).address;
      },
      where: /\/contracts\/0\/address: Vault \(0x[0-9a-f]{40}\) has no code on chain 31337/,
    },
    {
      name: 'a chain id the node does not serve',
      change: (config) => {
        config.chains[0].id = 1;
        config.contracts[0].chain = 1;
      },
      where: /\/chains\/0\/rpc\/0: RPC endpoint http:\/\/127\.0\.0\.1:\d+ serves chain 31337, not chain 1\./,
    },
    {
      name: 'an ABI file that is not JSON',
      change: (config) => {
        config.contracts[0].abi = 'broken-abi.json';
      },
      where: /\/contracts\/0\/abi: The ABI .*broken-abi\.json is not JSON/,
    },
  ];

  test.each(cases)('error: $name', async ({ change, where, ...entry }) => {
    writeFileSync(path.join(dir, 'broken-abi.json'), '[{"type": "function", "name": ');
    const file = configFile(change);
    const variables = (entry.env ?? env)();
    const check = runCli(['monitor', '--config', file, '--check'], variables);
    const start = runCli(['monitor', '--config', file, '--ready-file', path.join(dir, 'never-ready')], variables);
    expect(await check.exited).toBe(2);
    expect(check.output()).toMatch(where);
    expect(check.output()).toMatch(/^error {3}.*\n {8}fix: \S/m);
    expect(check.output()).toMatch(/not valid: \d error\(s\)/);
    expect(await start.exited).toBe(2);
    const refusal = start.lines().find((line) => where.test(line));
    expect(refusal).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ERROR .* fix=".+"$/);
    expect(start.output()).toMatch(/Not starting: \d problem\(s\)/);
    expect(start.output()).not.toMatch(/Watching|Ready/);
    expect(existsSync(path.join(dir, 'never-ready'))).toBe(false);
  });
});

/** An endpoint that drops every connection at once (a dead node), counting the attempts. */
async function startDeadEndpoint(): Promise<{ port: number; attempts(): number; close(): Promise<void> }> {
  let attempts = 0;
  const server = createServer((socket) => {
    attempts++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    attempts: () => attempts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

test('behavior: a dead first endpoint: reported (key redacted) at --check and at start, the monitor fails over and is ready', async () => {
  const deadNode = await startDeadEndpoint();
  const dead = `http://127.0.0.1:${deadNode.port}/v3/${rpcKey}`;
  const file = configFile((config) => {
    config.chains[0].rpc = [dead, `http://127.0.0.1:${proxy.port}`];
  });
  const check = runCli(['monitor', '--config', file, '--check'], { GUARDIAN_KEY: guardianKey });
  expect(await check.exited).toBe(0);
  expect(check.output()).toMatch(
    /^warning \/chains\/0\/rpc\/0: RPC endpoint http:\/\/127\.0\.0\.1:\d+\/v3\/\*\*\* does not answer/m,
  );
  expect(check.output()).toMatch(/valid: 1 chain\(s\), 1 contract\(s\), 1 with automatic pause, 1 warning\(s\)\./);

  const readyFile = path.join(dir, 'ready-failover.json');
  const cli = runCli(['monitor', '--config', file, '--ready-file', readyFile], { GUARDIAN_KEY: guardianKey });
  await cli.waitForLine(
    /WARN {2}\/chains\/0\/rpc\/0: RPC endpoint http:\/\/127\.0\.0\.1:\d+\/v3\/\*\*\* does not answer/,
  );
  await cli.waitForLine(/INFO {2}Ready: following 1 chain\(s\) \(31337\)\./);
  expect(JSON.parse(readFileSync(readyFile, 'utf8'))).toMatchObject({ chains: [31337], pid: expect.any(Number) });
  // At run time the pool finds it dead too, and says so once, not at every poll that retries it
  // after a rest (1 s, then 2 s…): two more tries reach the dead node, and still one line.
  await cli.waitForLine(/WARN {2}Chain 31337: RPC endpoint http:\/\/127\.0\.0\.1:\d+\/v3\/\*\*\* is down/);
  const triedBefore = deadNode.attempts();
  await waitFor('two more tries of the dead endpoint', () => deadNode.attempts() >= triedBefore + 2, [cli]);
  expect(cli.lines().filter((line) => / is down: /.test(line))).toHaveLength(1);
  expect(cli.output()).not.toContain(rpcKey);
  await cli.stop();
  await deadNode.close();
  expect(existsSync(readyFile)).toBe(false);
});

test('behavior: RPC down 15 s and back: one "down" and one "recovered" line each, the catch-up logged, JSON lines', async () => {
  const readyFile = path.join(dir, 'ready-outage.json');
  const cli = runCli(['monitor', '--config', configFile(), '--ready-file', readyFile, '--log-format', 'json'], {
    GUARDIAN_KEY: guardianKey,
  });
  await cli.waitForLine(/"msg":"Ready: following 1 chain/);
  await chain.mine();
  const records = () =>
    cli.lines().map((line) => JSON.parse(line) as { time: string; level: string; msg: string; event?: string });
  const events = (name: string) => records().filter((record) => record.event === name);

  proxy.refuse();
  const cutAt = Date.now();
  await cli.waitForLine(/"event":"chain-down"/);
  // Blocks the monitor misses while the link is down: it has to catch up on them.
  for (let i = 0; i < 5; i++) await chain.mine();
  // The outage lasts 15 s, whatever the monitor does meanwhile (retries with back-off).
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, 15_000 - (Date.now() - cutAt))));
  proxy.accept();
  await cli.waitForLine(/"event":"catch-up-end"/, 90_000);

  expect(events('chain-down')).toHaveLength(1);
  expect(events('chain-recovered')).toHaveLength(1);
  expect(events('endpoint-down')).toHaveLength(1);
  expect(events('endpoint-recovered')).toHaveLength(1);
  expect(events('catch-up-start')).toHaveLength(1);
  expect(events('catch-up-end')).toHaveLength(1);
  expect(events('chain-down')[0]).toMatchObject({ level: 'error', chain: 31337 });
  // One line, not the pool's every attempt.
  expect(events('chain-down')[0]!.msg).not.toContain('\n');
  expect(events('endpoint-recovered')[0]!.msg).toMatch(/recovered after \d+\.\d s/);
  expect(events('catch-up-start')[0]!.msg).toMatch(/[5-9] block\(s\) behind the head; catching up on \d+–\d+\./);
  for (const record of records()) {
    expect(Number.isNaN(Date.parse(record.time))).toBe(false);
    expect(['debug', 'info', 'warn', 'error']).toContain(record.level);
  }
  await cli.stop();
});
