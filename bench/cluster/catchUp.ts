/**
 * npm run bench:cluster-catchup — catch-up after BENCH_CATCHUP_BLOCKS (default 10,000) blocks
 * mined past the cursor, as a ratio to the raw fetch speed from the same node:
 *  - raw limit: the same blocks fetched with receipts and traces by the chain package's historical
 *    sync (`syncHistorical`, the RPC pool and the concurrency the monitor uses), nothing else;
 *  - single process: `bulwark monitor --config` (PostgreSQL store) from its start until its cursor
 *    is the head;
 *  - cluster: `bulwark monitor --role ingest`, `--role detect` (BENCH_CATCHUP_DETECT processes,
 *    default 1) and `--role respond` over a real nats-server and PostgreSQL, from their start until
 *    ingest published the head, every used partition judged it and respond has no decision left.
 * The blocks: anvil (no automine) with BENCH_CATCHUP_CONTRACTS (default 8) watched contracts whose
 * code emits a log; every BENCH_CATCHUP_TX_EVERY-th block (default 10) carries
 * BENCH_CATCHUP_TXS (default 5) value transfers to them from several senders, the rest are empty
 * (`anvil_mine` with a count).
 *
 * `--no-append` prints the rows only; `--profile` runs the processes with `--cpu-prof` into
 * bench/.out/catchup-profiles/ and prints each one's heaviest functions.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { type Block, createCapabilityTracker, createRpcPool, syncHistorical } from '@bulwark/chain';
import {
  blockSubject,
  clusterStatus,
  connectCluster,
  defaultClusterSettings,
  encodeMessage,
  partitionOf,
} from '@bulwark/cluster';
import { allRules, loadMonitorConfig, profileMetric } from '@bulwark/monitor';
import { getBaseline, getCheckpoint, openStore, setCheckpoint, upsertBaseline, withTransaction } from '@bulwark/store';
import { createTestDatabase, postgresAdminUrl } from '@bulwark/store/testing';
import { startTestNode } from '../../packages/chain/src/testing.ts';
import { startNatsServer } from '../../packages/cluster/src/testing.ts';
import { benchmarkRowCollector, recordBenchmarkRows, repoRoot } from '../benchmarksFile.ts';
import { type MonitorProcess, startMonitorProcess, waitUntil, writeConfig } from './processes.ts';

const append = !process.argv.includes('--no-append');
const profile = process.argv.includes('--profile');
const blockCount = Number(process.env.BENCH_CATCHUP_BLOCKS ?? 10_000);
const contractCount = Number(process.env.BENCH_CATCHUP_CONTRACTS ?? 8);
const txEvery = Number(process.env.BENCH_CATCHUP_TX_EVERY ?? 10);
const txsPerBlock = Number(process.env.BENCH_CATCHUP_TXS ?? 5);
const detectWorkers = Number(process.env.BENCH_CATCHUP_DETECT ?? 1);
const partitions = defaultClusterSettings.partitions;
const chainId = 31337;
const profileDir = path.join(repoRoot, 'bench/.out/catchup-profiles');
const log = (line: string) =>
  console.error(`[${((performance.now() - began) / 1000).toFixed(0).padStart(4)} s] ${line}`);
const began = performance.now();

const node = await startTestNode({ noMining: true });
const work = mkdtempSync(path.join(tmpdir(), 'bulwark-bench-catchup-'));
const admin = await postgresAdminUrl();
if ('skip' in admin) throw new Error(admin.skip);
const adminUrl = admin.url;
if (profile) {
  rmSync(profileDir, { recursive: true, force: true });
  mkdirSync(profileDir, { recursive: true });
}

try {
  // Watched contracts whose code emits one log (LOG1 with a fixed topic) and stops.
  const topic = 'aa'.repeat(32);
  const contracts = Array.from(
    { length: contractCount },
    (_, i) => `0x${(0xca7c00 + i).toString(16).padStart(40, '0')}` as const,
  );
  for (const contract of contracts) await node.rpc('anvil_setCode', [contract, `0x7f${topic}60006000a100`]);
  await node.mine();
  const cursor = await node.blockNumber();
  const from = cursor + 1n;
  log(`Mining ${blockCount} blocks past the cursor (block ${cursor}); one in ${txEvery} with ${txsPerBlock} txs…`);
  let sent = 0;
  for (let mined = 0; mined < blockCount; ) {
    for (let t = 0; t < txsPerBlock; t++) {
      const sender = node.accounts[(sent + t) % node.accounts.length]!;
      const to = contracts[(sent + t) % contracts.length]!;
      await node.rpc('eth_sendTransaction', [{ from: sender, to, value: `0x${(1000 + t).toString(16)}` }]);
    }
    sent += txsPerBlock;
    const count = Math.min(txEvery, blockCount - mined);
    // The first of `count` blocks takes the pending transactions; the rest are empty.
    await node.mine(count);
    mined += count;
  }
  const head = await node.blockNumber();
  log(`Head ${head}: ${head - cursor} blocks to catch up, ${sent} transactions to ${contractCount} contracts.`);
  const used = [...new Set(contracts.map((contract) => partitionOf(contract, partitions)))];

  const chainConfig = { id: chainId, rpc: [node.anvil.rpcUrl], startBlock: Number(from) };
  const common = {
    chains: [chainConfig],
    contracts: contracts.map((address, i) => ({ chain: chainId, address, name: `C${i}`, kind: 'vault' })),
    baseline: { learnBlocks: 0 },
    simulation: { enabled: false },
  };
  const nodeArgs = (name: string) =>
    profile ? ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', `${name}.cpuprofile`] : [];

  /** The chain package's historical sync alone, as the monitor's sync runs it: blocks per second. */
  async function rawFetch(keep?: Block[]): Promise<number> {
    const pool = createRpcPool({ endpoints: [node.anvil.rpcUrl] });
    const started = performance.now();
    let count = 0;
    let txs = 0;
    for await (const block of syncHistorical(pool, {
      chainId,
      from,
      to: head,
      capabilities: createCapabilityTracker(),
    })) {
      count++;
      txs += block.transactions.length;
      keep?.push(block);
    }
    const seconds = (performance.now() - started) / 1000;
    if (txs !== sent) throw new Error(`The raw fetch saw ${txs} transactions, ${sent} were sent.`);
    return count / seconds;
  }

  type Timing = { blocksPerSecond: number; firstBlockSeconds: number; steadyBlocksPerSecond: number };

  /** Times from the processes' start to `done`; `progress` is the last block handled so far. */
  async function timeProcesses(
    running: MonitorProcess[],
    started: number,
    progress: () => Promise<bigint | undefined>,
    done: () => Promise<boolean>,
  ): Promise<Timing> {
    let firstAt: number | undefined;
    let firstBlock = from;
    await waitUntil(
      'the catch-up to reach the head',
      async () => {
        if (firstAt === undefined) {
          const at = await progress();
          if (at !== undefined) {
            firstAt = performance.now();
            firstBlock = at;
          }
        }
        return (await done()) || undefined;
      },
      { watching: running, everyMs: 100 },
    );
    const ended = performance.now();
    const blocks = Number(head - cursor);
    const first = firstAt ?? ended;
    return {
      blocksPerSecond: blocks / ((ended - started) / 1000),
      firstBlockSeconds: (first - started) / 1000,
      steadyBlocksPerSecond: Number(head - firstBlock) / Math.max(0.001, (ended - first) / 1000),
    };
  }

  let learnedProfile: unknown;

  async function singleProcess(): Promise<Timing> {
    const database = await createTestDatabase(adminUrl);
    // Opened (and migrated) before the monitor starts, to read its cursor.
    const store = await openStore({ url: database.url });
    const config = writeConfig(work, 'single', common);
    const started = performance.now();
    const monitor = startMonitorProcess('single process', config, {
      env: { DATABASE_URL: database.url },
      nodeArgs: nodeArgs('single'),
    });
    try {
      const cursorNow = async () => (await getCheckpoint(store, chainId))?.blockNumber;
      return await timeProcesses([monitor], started, cursorNow, async () => ((await cursorNow()) ?? 0n) >= head);
    } finally {
      await monitor.stop();
      // A real profile (saved at the stop) for the baseline-write measurement.
      learnedProfile = (await getBaseline(store, { chainId, address: contracts[0]!, ...profileMetric }))?.stats;
      await store.close();
      await database.drop();
    }
  }

  /** When each stage had handled the head, in seconds from the start: the slowest one paces the rest. */
  const stages: { ingest?: number; detect?: number; respond?: number } = {};

  async function cluster(): Promise<Timing> {
    const nats = await startNatsServer();
    const database = await createTestDatabase(adminUrl);
    const store = await openStore({ url: database.url });
    const configObject = { ...common, cluster: { natsUrl: nats.url, partitions } };
    const file = writeConfig(work, 'cluster', configObject);
    const config = loadMonitorConfig(file, { rules: allRules, env: {} });
    const connection = await connectCluster({ ...defaultClusterSettings, natsUrl: nats.url }, 'bench');
    const env = { DATABASE_URL: database.url };
    const started = performance.now();
    const running = [
      startMonitorProcess('ingest', file, { role: 'ingest', env, nodeArgs: nodeArgs('ingest') }),
      ...Array.from({ length: detectWorkers }, (_, i) =>
        startMonitorProcess(`detect ${i + 1}`, file, { role: 'detect', env, nodeArgs: nodeArgs(`detect-${i + 1}`) }),
      ),
      startMonitorProcess('respond', file, { role: 'respond', env, nodeArgs: nodeArgs('respond') }),
    ];
    try {
      const status = async () => (await clusterStatus(connection, config, store))[0]!;
      return await timeProcesses(
        running,
        started,
        async () => {
          const published = (await status()).published;
          return published === null ? undefined : BigInt(published);
        },
        async () => {
          const now = await status();
          const judged = now.partitions.filter((p) => used.includes(p.partition));
          const at = (performance.now() - started) / 1000;
          if (now.published !== null && BigInt(now.published) >= head) stages.ingest ??= at;
          if (
            judged.length === used.length &&
            judged.every((p) => p.judgedThrough !== null && BigInt(p.judgedThrough) >= head)
          )
            stages.detect ??= at;
          if (stages.detect !== undefined && now.respond?.pending === 0 && now.respond.inFlight === 0)
            stages.respond ??= at;
          return stages.ingest !== undefined && stages.respond !== undefined;
        },
      );
    } finally {
      for (const process of running) await process.stop();
      await connection.close();
      await store.close();
      await database.drop();
      await nats.stop();
    }
  }

  /**
   * What one JetStream stream takes on this machine: the fetched blocks published one after the
   * other, as ingest publishes them (encoded, the hash as message id, each acknowledged before the next).
   */
  async function natsPublishLimit(blocks: readonly Block[]): Promise<{ perSecond: number; bytes: number }> {
    const nats = await startNatsServer();
    const connection = await connectCluster({ ...defaultClusterSettings, natsUrl: nats.url }, 'bench');
    try {
      let bytes = 0;
      const started = performance.now();
      for (const block of blocks) {
        const data = encodeMessage({ kind: 'block', block, tip: { number: block.number, hash: block.hash } });
        bytes += data.length;
        await connection.js.publish(blockSubject(chainId), data, { msgID: `${chainId}:${block.hash}` });
      }
      const seconds = (performance.now() - started) / 1000;
      return { perSecond: blocks.length / seconds, bytes: bytes / seconds };
    } finally {
      await connection.close();
      await nats.stop();
    }
  }

  /** PostgreSQL's per-block write alone: the cursor's transaction (checkpoint and seen block), one after the other. */
  async function postgresCursorLimit(blocks: readonly Block[]): Promise<number> {
    const database = await createTestDatabase(adminUrl);
    const store = await openStore({ url: database.url });
    try {
      const started = performance.now();
      for (const block of blocks)
        await withTransaction(store, (tx) =>
          setCheckpoint(tx, {
            chainId,
            blockNumber: block.number,
            blockHash: block.hash,
            blocks: [{ number: block.number, hash: block.hash, parentHash: block.parentHash }],
          }),
        );
      return blocks.length / ((performance.now() - started) / 1000);
    } finally {
      await store.close();
      await database.drop();
    }
  }

  /**
   * Baseline rows written per second: a contract's profile as the single process saved it, upserted
   * for `rows` addresses in transactions of 100 (what saving a partition's baselines costs).
   */
  async function postgresBaselineLimit(stats: unknown, rows = 2_000): Promise<{ perSecond: number; bytes: number }> {
    const database = await createTestDatabase(adminUrl);
    const store = await openStore({ url: database.url });
    try {
      const started = performance.now();
      for (let first = 0; first < rows; first += 100)
        await withTransaction(store, async (tx) => {
          for (let i = first; i < Math.min(rows, first + 100); i++)
            await upsertBaseline(tx, {
              chainId,
              address: `0x${(0xba5e000000 + i).toString(16).padStart(40, '0')}`,
              ...profileMetric,
              stats: stats as Record<string, unknown>,
            });
        });
      return { perSecond: rows / ((performance.now() - started) / 1000), bytes: JSON.stringify(stats).length };
    } finally {
      await store.close();
      await database.drop();
    }
  }

  // The raw limit before and after the monitors (anvil's caches warm up): the faster one counts.
  const fetched: Block[] = [];
  const rawBefore = await rawFetch(fetched);
  log(`raw fetch: ${rawBefore.toFixed(0)} blocks/s`);
  const nats = await natsPublishLimit(fetched);
  log(
    `NATS publish (acknowledged, one at a time): ${nats.perSecond.toFixed(0)} blocks/s, ${(nats.bytes / 1e6).toFixed(2)} MB/s`,
  );
  const cursorLimit = await postgresCursorLimit(fetched.slice(0, 1000));
  log(`PostgreSQL cursor transaction: ${cursorLimit.toFixed(0)} per second`);
  const single = await singleProcess();
  log(
    `single process: ${single.blocksPerSecond.toFixed(0)} blocks/s (first block after ${single.firstBlockSeconds.toFixed(1)} s; ${single.steadyBlocksPerSecond.toFixed(0)} blocks/s from there)`,
  );
  const clustered = await cluster();
  log(
    `cluster: ${clustered.blocksPerSecond.toFixed(0)} blocks/s (first block after ${clustered.firstBlockSeconds.toFixed(1)} s; ${clustered.steadyBlocksPerSecond.toFixed(0)} blocks/s from there)`,
  );
  if (learnedProfile === undefined)
    throw new Error('The single process saved no profile to measure baseline writes with.');
  const baselineLimit = await postgresBaselineLimit(learnedProfile);
  log(
    `PostgreSQL baseline upserts: ${baselineLimit.perSecond.toFixed(0)} rows/s (${baselineLimit.bytes} bytes a profile)`,
  );
  const rawAfter = await rawFetch();
  log(`raw fetch again: ${rawAfter.toFixed(0)} blocks/s`);
  const raw = Math.max(rawBefore, rawAfter);

  const machine = `${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)}`;
  const data = `${head - cursor} blocks past the cursor (1 in ${txEvery} with ${txsPerBlock} txs to ${contractCount} watched contracts emitting a log: ${sent} txs; the rest empty), anvil; ${machine}`;
  const limit = `raw fetch (syncHistorical: block, receipts, traces; concurrency 4) ${raw.toFixed(0)} blocks/s (best of 2: ${rawBefore.toFixed(0)}, ${rawAfter.toFixed(0)})`;
  const collector = benchmarkRowCollector();
  const seconds = (value: number | undefined) => (value === undefined ? '?' : `${value.toFixed(1)} s`);
  const describe = (name: string, timing: Timing) =>
    `${name}: ${timing.blocksPerSecond.toFixed(0)} blocks/s from start to cursor = head (start-up to first block ${timing.firstBlockSeconds.toFixed(1)} s; ${timing.steadyBlocksPerSecond.toFixed(0)} blocks/s after it)`;
  collector.row(
    data,
    describe('catch-up, single process (bulwark monitor, PostgreSQL)', single),
    limit,
    (single.blocksPerSecond / raw).toFixed(2),
  );
  collector.row(
    data,
    `${describe(
      `catch-up, cluster (ingest + ${detectWorkers} detect + respond processes, nats-server, PostgreSQL)`,
      clustered,
    )}; each stage through the head after: ingest ${seconds(stages.ingest)}, detect ${seconds(stages.detect)}, respond ${seconds(stages.respond)}`,
    limit,
    (clustered.blocksPerSecond / raw).toFixed(2),
  );
  collector.row(
    data,
    `NATS JetStream on this machine: ${nats.perSecond.toFixed(0)} blocks/s published one at a time, each acknowledged (${(nats.bytes / 1e6).toFixed(2)} MB/s, ${(nats.bytes / nats.perSecond / 1000).toFixed(1)} kB a block)`,
    limit,
    (nats.perSecond / raw).toFixed(2),
  );
  collector.row(
    data,
    `PostgreSQL on this machine: ${cursorLimit.toFixed(0)} cursor transactions/s one at a time (checkpoint and seen block, as the single process writes per block)`,
    limit,
    (cursorLimit / raw).toFixed(2),
  );
  collector.row(
    data,
    `PostgreSQL on this machine: ${baselineLimit.perSecond.toFixed(0)} baseline rows/s upserted in transactions of 100 (a profile as the single process saved it, ${(baselineLimit.bytes / 1000).toFixed(1)} kB)`,
    limit,
    (baselineLimit.perSecond / raw).toFixed(2),
  );
  if (profile) printProfiles();
  if (append)
    recordBenchmarkRows(
      {
        name: 'cluster-catchup',
        title: 'Cluster: catch-up after missed blocks (npm run bench:cluster-catchup)',
        intro:
          'Blocks per second from the monitor processes’ start until the cursor is the head, 10,000 blocks behind, single process and cluster, against the raw fetch of the same blocks (block, receipts, traces, same RPC client and concurrency) from the same node in the same run. Start-up (config, store, preflight, first block) is inside the figure and given apart.',
      },
      collector.rows,
    );
} finally {
  await node.stop();
  rmSync(work, { recursive: true, force: true });
}

/** Each process's self time by package and its heaviest functions, from its `--cpu-prof` file. */
function printProfiles(): void {
  type Node = { callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number };
  const packageOf = (url: string, functionName: string) => {
    const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (dependency) return dependency[1]!;
    const own = /packages\/([^/]+)\//.exec(url);
    if (own) return `@bulwark/${own[1]}`;
    if (url.startsWith('node:')) return 'node';
    return url === '' ? `native ${functionName}` : 'other';
  };
  for (const file of readdirSync(profileDir).filter((name) => name.endsWith('.cpuprofile'))) {
    const profileData = JSON.parse(readFileSync(path.join(profileDir, file), 'utf8')) as { nodes: Node[] };
    const byFunction = new Map<string, number>();
    const byPackage = new Map<string, number>();
    let total = 0;
    for (const entry of profileData.nodes) {
      const hits = entry.hitCount ?? 0;
      total += hits;
      const { functionName, url, lineNumber } = entry.callFrame;
      const where = `${functionName || '(anonymous)'} ${url.replace(/^.*\/(node_modules|packages)\//, '$1/')}:${lineNumber + 1}`;
      byFunction.set(where, (byFunction.get(where) ?? 0) + hits);
      const owner = packageOf(url, functionName);
      byPackage.set(owner, (byPackage.get(owner) ?? 0) + hits);
    }
    const top = (map: Map<string, number>, count: number) =>
      [...map]
        .sort((a, b) => b[1] - a[1])
        .slice(0, count)
        .map(([name, hits]) => `  ${((hits / total) * 100).toFixed(1).padStart(5)}%  ${name}`)
        .join('\n');
    console.log(`\n${file}: self time by package\n${top(byPackage, 12)}\n  heaviest functions\n${top(byFunction, 10)}`);
  }
}
