/**
 * `bulwark serve --config` as an operator runs it: the real CLI process, anvil, a guardian-pausable
 * vault. A re-entrancy drain is sent; the alert arrives on /api/v1/events, the incident and its
 * pause are read through the API, /metrics counts what happened, SIGTERM stops both cleanly.
 * Waits are on conditions (lines, events, answers), never on time.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { endpointName } from '@bulwark/chain';
import { deployContract, sendAndConfirm } from '@bulwark/contracts';
import { type ResponderTestChain, startResponderChain, until } from '@bulwark/monitor/responder/testing';
import { openEventClient } from '@bulwark/server/testing';
import { type Address, createWalletClient, encodeFunctionData, type Hex, http, parseAbi, parseEther } from 'viem';
import { foundry } from 'viem/chains';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { guardedVaultConfig, killSpawnedClis, spawnCli } from '../testing.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-serve-monitor-'));
/** A cold start compiles the CLI and opens PGlite: generous on a shared machine. */
const patience = 180_000;
const vaultAbi = parseAbi(['function deposit() payable']);
let chain: ResponderTestChain;
let guardianKey: Hex;
let vault: Address;

beforeAll(async () => {
  chain = await startResponderChain();
  const guardian = await chain.newGuardian();
  guardianKey = guardian.privateKey;
  vault = await chain.deployPausable(guardian.account.address);
  // Benign history to learn from: deposits, one a block.
  for (let i = 0; i < 6; i++) await deposit('5');
}, patience);

/** A benign deposit into the vault by its admin, in a block of its own. */
const deposit = (ether: string) =>
  sendAndConfirm(chain.deployer, chain.client, {
    to: vault,
    data: encodeFunctionData({ abi: vaultAbi, functionName: 'deposit' }),
    value: parseEther(ether),
    mine: true,
  });

afterAll(async () => {
  killSpawnedClis();
  await chain?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const run = (args: string[]) => spawnCli(args, { cwd: dir, env: { GUARDIAN_KEY: guardianKey } });

test('behavior: serve --config runs the monitor: /healthz 200 once followed, the alert on /events, the incident and its pause via the API, /metrics counts them', {
  timeout: 2 * patience,
}, async () => {
  const config = path.join(dir, 'monitor.json');
  writeFileSync(
    config,
    JSON.stringify(
      guardedVaultConfig({
        rpc: chain.anvil.rpcUrl,
        vault,
        assets: ['native'],
        pollingIntervalMs: 100,
        baseline: { learnBlocks: 50, persistEveryBlocks: 2 },
      }),
    ),
  );
  const init = run(['init', '--name', 'ops', '--format', 'json', '--db', 'db']);
  expect(await init.exited).toBe(0);
  const { token } = JSON.parse(init.stdout()) as { token: string };

  const serve = run(['serve', '--config', config, '--port', '0', '--format', 'json']);
  await until(() => serve.stdout().includes('\n') || serve.child.exitCode !== null, patience);
  expect(serve.child.exitCode, serve.stderr()).toBeNull();
  const { url } = JSON.parse(serve.stdout()) as { url: string };
  const api = async (route: string) => {
    const response = await fetch(`${url}/api/v1${route}`, { headers: { authorization: `Bearer ${token}` } });
    // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
    return { status: response.status, body: (await response.json()) as any };
  };
  await until(async () => (await fetch(`${url}/healthz`)).status === 200, patience);
  expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
  const [status] = (await api('/monitor/status')).body;
  expect(status).toMatchObject({
    chainId: 31337,
    state: 'following',
    endpoints: [{ url: endpointName(chain.anvil.rpcUrl), up: true }],
  });
  expect((await api('/monitor/contracts')).body).toEqual([
    {
      chainId: 31337,
      address: vault.toLowerCase(),
      name: 'Vault',
      warmingUp: true,
      paused: false,
      pausedFrom: 'chain',
    },
  ]);
  const rules = (await api('/monitor/rules')).body;
  expect(rules[0].rules.find((rule: { id: string }) => rule.id === 'reentrant-call')).toMatchObject({ enabled: true });

  // Benign deposits while it watches: learned (after the learning delay), they are the chart's recent calls.
  for (let i = 0; i < 2; i++) await deposit('1');
  const events = await openEventClient(`${url}/api/v1/events`, { token });
  expect(events.status).toBe(200);
  // The attack: a fresh contract re-enters withdrawAll() (re-entry with outflow: a pause even while warming up).
  const attacker = await chain.newGuardian();
  const wallet = createWalletClient({ account: attacker.account, chain: foundry, transport: http(chain.anvil.rpcUrl) });
  const attackerArtifact = chain.artifacts.contracts.ReentrancyAttacker!;
  const contract = await deployContract(wallet, chain.client, {
    artifact: attackerArtifact,
    args: [vault],
    mine: true,
  });
  await sendAndConfirm(wallet, chain.client, {
    to: contract,
    data: encodeFunctionData({ abi: attackerArtifact.abi, functionName: 'attack', args: [4n] }),
    value: parseEther('1'),
    mine: true,
  });
  const alert = await events.waitFor((event) => event.type === 'alert' && event.data.address === vault.toLowerCase());
  const incidentEvent = await events.waitFor((event) => event.type === 'incident');
  // The pause goes out from the guardian: mined in the next blocks.
  await until(async () => {
    if (await chain.paused(vault)) return true;
    await chain.mine();
    return false;
  }, patience);

  const incidents = (await api('/incidents')).body as { id: string; address: string }[];
  const incident = incidents.find((candidate) => candidate.address === vault.toLowerCase())!;
  expect(incident.id).toBe(incidentEvent.data.id);
  expect((alert.data as { incidentId: string | null }).incidentId ?? incident.id).toBe(incident.id);
  let timeline: { kind: string; data: Record<string, unknown> }[] = [];
  await until(async () => {
    timeline = (await api(`/incidents/${incident.id}`)).body.timeline;
    return timeline.some((entry) => entry.kind === 'responder-action' && entry.data.status === 'verified');
  }, patience);
  expect(timeline.find((entry) => entry.kind === 'responder-action')?.data).toMatchObject({
    kind: 'pause',
    dryRun: false,
  });
  await until(async () => (await api('/monitor/contracts')).body[0].paused === true, patience);
  let baseline: { calls: { recent: number; baseline: number }[]; valueLocked: { recent: number }[] } = {
    calls: [],
    valueLocked: [],
  };
  await until(async () => {
    baseline = (await api(`/monitor/contracts/31337/${vault}/baseline`)).body;
    if (baseline.calls.some((point) => point.recent > 0)) return true;
    await chain.mine();
    return false;
  }, patience);
  expect(baseline.calls[0]!.baseline).toBeGreaterThan(0);
  expect(baseline.valueLocked.at(-1)!.recent).toBeGreaterThan(0);
  expect((await api('/monitor/contracts/31337/0x000000000000000000000000000000000000dead/baseline')).status).toBe(404);

  const metrics = await (await fetch(`${url}/metrics`)).text();
  const value = (series: string) => {
    const line = metrics.split('\n').find((candidate) => candidate.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };
  const storedAlerts = (await api('/alerts')).body.length;
  expect(value('bulwark_monitor_alerts_total{chain="31337"}')).toBe(storedAlerts);
  expect(value('bulwark_monitor_pause_actions_total{chain="31337",status="sent"}')).toBe(1);
  expect(value('bulwark_monitor_pause_latency_seconds_count{chain="31337"}')).toBe(1);
  expect(value('bulwark_monitor_rule_evaluations_total{chain="31337"}')).toBeGreaterThan(0);
  expect(value('bulwark_monitor_blocks_evaluated_total{chain="31337"}')).toBeGreaterThanOrEqual(3);
  expect(value(`bulwark_monitor_rpc_errors_total{chain="31337",endpoint="${endpointName(chain.anvil.rpcUrl)}"}`)).toBe(
    0,
  );
  expect(value('bulwark_monitor_blocks_behind_head{chain="31337"}')).toBeGreaterThanOrEqual(0);

  // A pause asked for through the API reaches the contract's own breaker: it reads the pause already
  // in force and sends nothing.
  const asked = await fetch(`${url}/api/v1/incidents/${incident.id}/pause`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ confirm: vault }),
  });
  expect(asked.status).toBe(200);
  expect(await asked.json()).toMatchObject({ kind: 'pause', status: 'already-paused' });

  events.close();
  serve.child.kill('SIGTERM');
  expect(await serve.exited).toBe(0);
  expect(serve.stderr()).toContain('Stopped: baselines and cursor saved.');
});
