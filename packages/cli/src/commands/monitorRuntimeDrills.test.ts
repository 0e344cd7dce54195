/**
 * Fault drills against real processes: anvil and the `bulwark monitor` CLI as a child process.
 * The traffic raises exactly one alert per block (a listed address pays the watched one), so the
 * JSONL sink shows, block by block, what the monitor evaluated. Waits are on conditions (lines
 * in the sink, lines on stderr, the process's exit), never on time.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Hex } from 'viem';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { startTestNode, type TestNode } from '../../../chain/src/testing.ts';
import { killSpawnedClis, type SpawnedCli, spawnCli, waitFor } from '../testing.ts';

const watched = '0x00000000000000000000000000000000000d1e11';
const ruleId = 'known-malicious-address';
/** How long each wait may take: `waitFor`'s default (a cold start compiles the CLI and opens PGlite). */
const patience = 180_000;
/** A drill starts the CLI up to three times and waits on each: no deadline of its own beyond these. */
const drillTimeout = { timeout: 4 * patience };

type JsonAlert = { id: string; ruleId: string; blockNumber: string; retracted?: { reason: string } };

const work = mkdtempSync(path.join(tmpdir(), 'bulwark-drills-'));

afterEach(killSpawnedClis);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The monitor on `config` and `db`, as an operator starts it; `extraEnv` added to its environment. */
function startMonitor(config: string, db: string, extraEnv: Record<string, string> = {}): SpawnedCli {
  return spawnCli(['monitor', '--config', config, '--db', db], { cwd: work, env: extraEnv, name: 'The monitor' });
}

function readAlerts(file: string): JsonAlert[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as JsonAlert)
    .filter((alert) => alert.ruleId === ruleId);
}

/** Alerts (not retractions) by block: each block's distinct alert ids. */
function idsByBlock(alerts: readonly JsonAlert[]): Map<bigint, Set<string>> {
  const byBlock = new Map<bigint, Set<string>>();
  for (const alert of alerts) {
    if (alert.retracted) continue;
    const block = BigInt(alert.blockNumber);
    if (!byBlock.has(block)) byBlock.set(block, new Set());
    byBlock.get(block)?.add(alert.id);
  }
  return byBlock;
}

/** Every block in from..to has exactly one alert (a replayed sink line repeats the same id). */
function expectOneAlertPerBlock(alerts: readonly JsonAlert[], from: bigint, to: bigint): void {
  const byBlock = idsByBlock(alerts);
  const missing: bigint[] = [];
  const doubled: bigint[] = [];
  for (let block = from; block <= to; block++) {
    const ids = byBlock.get(block);
    if (!ids) missing.push(block);
    else if (ids.size > 1) doubled.push(block);
  }
  expect({ missing, doubled }).toEqual({ missing: [], doubled: [] });
}

/** The catch-up from `from` is logged as evaluated, with one alert for each of its blocks. */
async function expectEvaluatedLine(running: SpawnedCli, from: bigint): Promise<void> {
  const pattern = new RegExp(`evaluated blocks ${from}–(\\d+) \\((\\d+) alerts?\\)`);
  const [, to, alerts] = await waitFor(
    `the catch-up from block ${from} logged`,
    () => pattern.exec(running.stderr()) ?? undefined,
    [running],
  );
  expect(BigInt(alerts ?? '-1')).toBe(BigInt(to ?? '0') - from + 1n);
}

describe('monitor drills (anvil + the CLI)', () => {
  let node: TestNode;
  let attacker: Hex;

  beforeAll(async () => {
    node = await startTestNode();
    attacker = node.accounts[1]!;
    // Start-up refuses an address without code: the watched one is a contract that takes ether (STOP).
    await node.rpc('anvil_setCode', [watched, '0x00']);
  });
  afterAll(async () => {
    await node?.stop();
  });

  /** One transaction, one block (automine), one alert: the listed address pays the watched one. */
  /** The block the transaction was mined in, from its receipt (not the head, which may have moved). */
  async function alertingBlock(): Promise<bigint> {
    const hash = await node.rpc<string>('eth_sendTransaction', [{ from: attacker, to: watched, value: '0x1' }]);
    for (;;) {
      const receipt = await node.rpc<{ blockNumber: string } | null>('eth_getTransactionReceipt', [hash]);
      if (receipt) return BigInt(receipt.blockNumber);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  function writeConfig(
    name: string,
    extra: Record<string, unknown> = {},
    moreSinks: Record<string, unknown>[] = [],
  ): { config: string; sink: string } {
    const dir = path.join(work, name);
    const config = path.join(dir, 'monitor.json');
    const sink = path.join(dir, 'alerts.jsonl');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'exploiters.txt'), `${attacker} drill exploiter\n`);
    writeFileSync(
      config,
      JSON.stringify({
        chains: [{ id: 31337, rpc: [node.anvil.rpcUrl], pollingIntervalMs: 100, ...extra }],
        contracts: [{ chain: 31337, address: watched, name: 'Watched', kind: 'other' }],
        threatIntel: ['exploiters.txt'],
        baseline: { learnBlocks: 3, persistEveryBlocks: 4 },
        // Every payment alerts: the drill counts alerts per block, so no cooldown folds them.
        alerts: { cooldownMs: 0 },
        sinks: [{ type: 'jsonl', path: 'alerts.jsonl' }, ...moreSinks],
      }),
    );
    return { config, sink };
  }

  test(
    'behavior: first start evaluates from startBlock; SIGKILL and restart leave no block missing or doubled',
    drillTimeout,
    async () => {
      for (let i = 0; i < 4; i++) await alertingBlock();
      const first = (await node.blockNumber()) - 1n;
      // Blocks first..head exist before the monitor starts: they must be evaluated, not "caught up".
      for (let i = 0; i < 6; i++) await alertingBlock();
      const { config, sink } = writeConfig('restart', { startBlock: Number(first) });
      const db = path.join(work, 'restart', 'db');

      let monitor = startMonitor(config, db);
      let last = await node.blockNumber();
      await waitFor(`alerts through block ${last}`, () => idsByBlock(readAlerts(sink)).has(last), [monitor]);
      await expectEvaluatedLine(monitor, first);
      expect(monitor.stderr()).not.toMatch(/caught up/);

      // Live traffic, then a kill in the middle of it.
      for (let i = 0; i < 3; i++) last = await alertingBlock();
      await waitFor(`alerts through block ${last}`, () => idsByBlock(readAlerts(sink)).has(last), [monitor]);
      const sending = (async () => {
        for (let i = 0; i < 3; i++) await alertingBlock();
      })();
      monitor.child.kill('SIGKILL');
      await monitor.exited;
      await sending;
      // Down for a while: these blocks come while nothing watches.
      for (let i = 0; i < 8; i++) last = await alertingBlock();

      monitor = startMonitor(config, db);
      await waitFor(`alerts through block ${last} after the restart`, () => idsByBlock(readAlerts(sink)).has(last), [
        monitor,
      ]);
      const resumedAt = BigInt(/evaluating from block (\d+)/.exec(monitor.stderr())?.[1] ?? '-1');
      await expectEvaluatedLine(monitor, resumedAt);
      for (let i = 0; i < 2; i++) last = await alertingBlock();
      await waitFor(`alerts through block ${last}`, () => idsByBlock(readAlerts(sink)).has(last), [monitor]);
      expectOneAlertPerBlock(readAlerts(sink), first, last);
      monitor.child.kill('SIGTERM');
      expect(await monitor.exited).toBe(0);
    },
  );

  test(
    'behavior: SIGTERM finishes, saves baselines and the cursor, exits 0; the next start resumes after it',
    drillTimeout,
    async () => {
      const { config, sink } = writeConfig('sigterm');
      const db = path.join(work, 'sigterm', 'db');
      let monitor = startMonitor(config, db);
      await waitFor('the monitor to watch', () => /Watching 1 contract/.test(monitor.stderr()), [monitor]);
      let last = await alertingBlock();
      const first = last;
      await waitFor(`the alert of block ${last}`, () => idsByBlock(readAlerts(sink)).has(last), [monitor]);
      for (let i = 0; i < 5; i++) last = await alertingBlock();
      await waitFor(`the alert of block ${last}`, () => idsByBlock(readAlerts(sink)).has(last), [monitor]);
      monitor.child.kill('SIGTERM');
      expect(await monitor.exited).toBe(0);
      expect(monitor.stderr()).toMatch(/SIGTERM: stopping after the block in hand/);
      expect(monitor.stderr()).toMatch(/Stopped: baselines and cursor saved\./);
      expect(monitor.stderr()).not.toMatch(/destroyed|closing|failed/i);

      // Baselines saved at stop: the profile covers the last block evaluated.
      const shown = await runCli(['baseline', 'show', '--db', db, '--format', 'json']);
      const [profile] = JSON.parse(shown) as { toBlock: string }[];
      expect(BigInt(profile?.toBlock ?? '0')).toBe(last);

      for (let i = 0; i < 3; i++) last = await alertingBlock();
      monitor = startMonitor(config, db);
      await waitFor(`the alert of block ${last}`, () => idsByBlock(readAlerts(sink)).has(last), [monitor]);
      expectOneAlertPerBlock(readAlerts(sink), first, last);
      monitor.child.kill('SIGINT');
      expect(await monitor.exited).toBe(0);
    },
  );

  test('behavior: a reorg across an alert sends its retraction (same id) to the sink', drillTimeout, async () => {
    const { config, sink } = writeConfig('reorg');
    const db = path.join(work, 'reorg', 'db');
    const monitor = startMonitor(config, db);
    await waitFor('the monitor to watch', () => /Watching 1 contract/.test(monitor.stderr()), [monitor]);
    const before = await alertingBlock();
    await waitFor(`the alert of block ${before}`, () => idsByBlock(readAlerts(sink)).has(before), [monitor]);
    const snapshot = await node.snapshot();
    const doomed = await alertingBlock();
    const [doomedId] = await waitFor(`the alert of block ${doomed}`, () => idsByBlock(readAlerts(sink)).get(doomed), [
      monitor,
    ]);
    // Replace the block by an empty one, and build on it: the alert's block left the chain.
    await node.revert(snapshot);
    await node.mine(2);
    const retraction = await waitFor(
      'the retraction',
      () => readAlerts(sink).find((alert) => alert.retracted && alert.id === doomedId),
      [monitor],
    );
    expect(retraction.retracted?.reason).toMatch(/reorg/);
    expect(
      readAlerts(sink)
        .filter((alert) => alert.retracted)
        .map((alert) => alert.id),
    ).toEqual([doomedId]);
    // Traffic goes on, evaluated as before.
    const after = await alertingBlock();
    await waitFor(`the alert of block ${after}`, () => idsByBlock(readAlerts(sink)).has(after), [monitor]);
    monitor.child.kill('SIGTERM');
    expect(await monitor.exited).toBe(0);
  });

  test(
    'behavior: a second signal exits at once, while the first waits for the block in hand',
    drillTimeout,
    async () => {
      // A webhook that takes the request and never answers: the block in hand cannot finish.
      const held: ServerResponse[] = [];
      const server = createServer((_request, response) => void held.push(response));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      const { config, sink } = writeConfig('second-signal', {}, [
        { type: 'webhook', urlEnv: 'HOOK_URL', secretEnv: 'HOOK_SECRET' },
      ]);
      try {
        const monitor = startMonitor(config, path.join(work, 'second-signal', 'db'), {
          HOOK_URL: `http://127.0.0.1:${port}/hook`,
          HOOK_SECRET: 'drill-secret',
        });
        await waitFor('the monitor to watch', () => /Watching 1 contract/.test(monitor.stderr()), [monitor]);
        await alertingBlock();
        await waitFor('the webhook to be called', () => held.length > 0, [monitor]);
        await waitFor('the alert in the JSONL sink', () => readAlerts(sink).length === 1, [monitor]);
        monitor.child.kill('SIGINT');
        await waitFor('the stop to begin', () => /SIGINT: stopping after the block in hand/.test(monitor.stderr()), [
          monitor,
        ]);
        monitor.child.kill('SIGINT');
        expect(await monitor.exited).toBe(130);
        expect(monitor.stderr()).toMatch(/SIGINT again: exiting now/);
      } finally {
        for (const response of held) response.destroy();
        server.close();
      }
    },
  );
});

/** Runs a short CLI command to its end; its stdout. */
async function runCli(args: string[]): Promise<string> {
  const cli = spawnCli(args, { cwd: work });
  const code = await cli.exited;
  if (code !== 0) throw new Error(`bulwark ${args.join(' ')} exited ${code}: ${cli.stderr()}`);
  return cli.stdout();
}
