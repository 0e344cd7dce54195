import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { runCli } from '../testing.ts';

// The refusals happen before any endpoint, NATS or store is reached: no server is needed.
const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-monitor-cluster-cli-'));
const config = (extra: Record<string, unknown> = {}) => {
  const file = path.join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      chains: [{ id: 1, rpc: ['http://127.0.0.1:9'] }],
      contracts: [{ chain: 1, address: '0x00000000000000000000000000000000000000aa', name: 'Vault', kind: 'vault' }],
      ...extra,
    }),
  );
  return file;
};
const cluster = { cluster: { natsUrl: 'nats://127.0.0.1:9' } };

test('default: --help documents --role, --status and --format', async () => {
  const run = await runCli(['monitor', '--help']);
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/--role ROLE +Run the stages as separate processes over NATS JetStream/);
  expect(run.stdout).toMatch(/--status +Print each chain's head, lag, ingest leader/);
  expect(run.stdout).toMatch(/--format text\|json\n +Output of --status/);
});

test('error: an unknown role is a usage error naming the choices', async () => {
  const run = await runCli(['monitor', '--config', config(cluster), '--role', 'ingester'], {
    env: { DATABASE_URL: 'postgres://u:p@127.0.0.1:9/db' },
  });
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/--role ingester: choose ingest, detect, respond or all/);
});

test('error: a role without a cluster section names the missing config', async () => {
  const run = await runCli(['monitor', '--config', config(), '--role', 'detect'], {
    env: { DATABASE_URL: 'postgres://u:p@127.0.0.1:9/db' },
  });
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/--role needs a `cluster` section in the config \(at least natsUrl\)/);
});

test('error: natsUrlEnv naming an unset variable says which one', async () => {
  const run = await runCli(['monitor', '--config', config({ cluster: { natsUrlEnv: 'NATS_URL' } }), '--status'], {
    env: { DATABASE_URL: 'postgres://u:p@127.0.0.1:9/db' },
  });
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/\/cluster\/natsUrlEnv: the environment variable NATS_URL is not set/);
});

test('error: a role or --status on the embedded store is refused: the processes must share PostgreSQL', async () => {
  for (const args of [['--role', 'all'], ['--status']]) {
    const run = await runCli(['monitor', '--config', config(cluster), ...args], { env: {} });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/needs PostgreSQL shared by every process: set DATABASE_URL/);
    expect(run.stdout).toBe('');
  }
});

test('error: --format other than text or json is a usage error', async () => {
  const run = await runCli(['monitor', '--config', config(cluster), '--status', '--format', 'yaml']);
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/--format yaml: choose text or json/);
});

test('error: --metrics-port needs --role and a port number; --metrics-host needs --metrics-port', async () => {
  const env = { DATABASE_URL: 'postgres://u:p@127.0.0.1:9/db' };
  const cases: [string[], RegExp][] = [
    [['--status', '--metrics-port', '9464'], /--metrics-port serves the cluster roles' figures: use it with --role/],
    [['--role', 'all', '--metrics-port', 'http'], /--metrics-port http: give a port number from 0 to 65535/],
    [['--role', 'all', '--metrics-port', '70000'], /--metrics-port 70000: give a port number from 0 to 65535/],
    [['--role', 'all', '--metrics-host', '0.0.0.0'], /--metrics-host needs --metrics-port/],
  ];
  for (const [args, message] of cases) {
    const run = await runCli(['monitor', '--config', config(cluster), ...args], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  }
  const help = await runCli(['monitor', '--help']);
  expect(help.stdout).toMatch(/--metrics-port PORT\n +With --role: serve GET \/metrics \(Prometheus text/);
});
