/**
 * npm run bench:cluster — events (and transactions) per second through the detect stage: the cluster's detect
 * role with 1, 2 and 3 worker processes (the real `bulwark monitor --role detect`, over a real
 * nats-server and PostgreSQL), against the single-process mode's detect in the same run (the same
 * engine and rules in one process: judge, decide, and the per-block store transaction the single
 * process writes with its cursor).
 *
 * The blocks are real: anvil mines BENCH_CLUSTER_BLOCKS blocks (default 120) of
 * BENCH_CLUSTER_TXS transactions (default 10) from ten senders to BENCH_CLUSTER_CONTRACTS watched
 * contracts (default 8, over 4 partitions), fetched once with receipts and traces; each run
 * publishes them into a fresh stream and times from the first publish until every partition has
 * saved the last block. A warm-up block (the workers learn and read balances) is not timed.
 *
 * Needs nats-server and PostgreSQL (TEST_DATABASE_URL, or the local binaries). `--no-append`
 * prints the rows without writing BENCHMARKS.md.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { type Block, createCapabilityTracker, createRpcPool, fetchBlock } from '@bulwark/chain';
import { connectCluster, encodeMessage, partitionOf } from '@bulwark/cluster';
import { allRules, decide, loadMonitorConfig } from '@bulwark/monitor';
import { listClusterPartitions, openStore, setCheckpoint, withTransaction } from '@bulwark/store';
import { createTestDatabase, postgresAdminUrl } from '@bulwark/store/testing';
import { startTestNode } from '../../packages/chain/src/testing.ts';
import { monitorFor } from '../../packages/cluster/src/stageParts.ts';
import { type NatsServer, startNatsServer } from '../../packages/cluster/src/testing.ts';
import { recordBenchmarkRows } from '../benchmarksFile.ts';

const repo = path.resolve(import.meta.dirname, '../..');
const bin = path.join(repo, 'packages/cli/bin/bulwark.js');
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
const date = new Date().toISOString().slice(0, 10);
const append = !process.argv.includes('--no-append');
const blockCount = Number(process.env.BENCH_CLUSTER_BLOCKS ?? 120);
const txsPerBlock = Number(process.env.BENCH_CLUSTER_TXS ?? 10);
const contractCount = Number(process.env.BENCH_CLUSTER_CONTRACTS ?? 8);
const partitions = 4;
const workerCounts = [1, 2, 3];

const node = await startTestNode({ noMining: true });
const work = mkdtempSync(path.join(tmpdir(), 'bulwark-bench-cluster-'));
const admin = await postgresAdminUrl();
if ('skip' in admin) throw new Error(admin.skip);
const adminUrl = admin.url;

try {
  const contracts = Array.from(
    { length: contractCount },
    (_, i) => `0x${(0xc0de00 + i).toString(16).padStart(40, '0')}` as const,
  );
  for (const contract of contracts) await node.rpc('anvil_setCode', [contract, '0x00']);
  await node.mine();
  const start = (await node.blockNumber()) + 1n;
  console.error(`Mining ${blockCount} blocks of ${txsPerBlock} transactions…`);
  for (let b = 0; b < blockCount; b++) {
    for (let t = 0; t < txsPerBlock; t++) {
      const from = node.accounts[t % node.accounts.length]!;
      const to = contracts[(b * txsPerBlock + t) % contracts.length]!;
      await node.rpc('eth_sendTransaction', [{ from, to, value: `0x${(1000 + t).toString(16)}` }]);
    }
    await node.mine();
  }
  const pool = createRpcPool({ endpoints: [node.anvil.rpcUrl] });
  const capabilities = createCapabilityTracker();
  const blocks: Block[] = [];
  for (let n = start - 1n; n < start + BigInt(blockCount); n++)
    blocks.push(await fetchBlock(pool, { chainId: 31337, number: n, capabilities }));
  const [warmUp, ...timed] = blocks;
  const txs = timed.reduce((sum, block) => sum + block.transactions.length, 0);
  const used = new Set(contracts.map((contract) => partitionOf(contract, partitions))).size;
  console.error(`${timed.length} blocks, ${txs} transactions, ${used} of ${partitions} partitions used.`);

  const configFile = (natsUrl: string) => {
    const file = path.join(work, `monitor-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        cluster: { natsUrl, partitions, ackWaitMs: 30_000 },
        chains: [{ id: 31337, rpc: [node.anvil.rpcUrl], startBlock: Number(start) }],
        contracts: contracts.map((address, i) => ({ chain: 31337, address, name: `C${i}`, kind: 'vault' })),
        baseline: { learnBlocks: 0 },
        simulation: { enabled: false },
      }),
    );
    return file;
  };

  /** The normalised events of the timed blocks, as the single process's engine counts them. */
  let events = 0;
  // The single-process mode's detect: one engine over every contract, a store transaction per block.
  async function singleProcess(): Promise<number> {
    const database = await createTestDatabase(adminUrl);
    const store = await openStore({ url: database.url });
    try {
      const config = loadMonitorConfig(configFile('nats://127.0.0.1:1'), { rules: allRules, env: {} });
      const monitor = await monitorFor(
        { config, store, rules: allRules, env: {}, log: () => {} },
        31337,
        config.contracts,
      );
      const { engine, decideOptions } = monitor.parts;
      engine.process(warmUp!);
      const began = performance.now();
      for (const block of timed) {
        const result = engine.process(block);
        events += result.events;
        decide(result, decideOptions);
        await withTransaction(store, (tx) =>
          setCheckpoint(tx, {
            chainId: 31337,
            blockNumber: block.number,
            blockHash: block.hash,
            blocks: [{ number: block.number, hash: block.hash, parentHash: block.parentHash }],
          }),
        );
      }
      return txs / ((performance.now() - began) / 1000);
    } finally {
      await store.close();
      await database.drop();
    }
  }

  /**
   * The engine work alone (no NATS, no store), split as the partitions split it: one engine per
   * used partition judging its own contracts, handing its flags to the others after each block, as
   * in `partitionFacts.ts`; against one engine judging every contract. Milliseconds of CPU.
   */
  async function engineSplit(): Promise<{ single: number; partitions: number[] }> {
    const database = await createTestDatabase(adminUrl);
    const store = await openStore({ url: database.url });
    try {
      const config = loadMonitorConfig(configFile('nats://127.0.0.1:1'), { rules: allRules, env: {} });
      const base = { config, store, rules: allRules, env: {}, log: () => {} };
      const timedEngine = async (judged: readonly string[] | undefined) => {
        const { engine } = (await monitorFor(base, 31337, config.contracts, judged)).parts;
        engine.process(structuredClone(warmUp!));
        return engine;
      };
      const single = await timedEngine(undefined);
      const owners = [...new Set(contracts.map((contract) => partitionOf(contract, partitions)))];
      const engines = await Promise.all(
        owners.map((owner) => timedEngine(contracts.filter((contract) => partitionOf(contract, partitions) === owner))),
      );
      const spent = engines.map(() => 0);
      let singleSpent = 0;
      for (const block of timed) {
        let began = performance.now();
        single.process(structuredClone(block));
        singleSpent += performance.now() - began;
        const flags: string[][] = [];
        for (const [i, engine] of engines.entries()) {
          began = performance.now();
          flags.push(engine.process(structuredClone(block)).flaggedAccounts ?? []);
          spent[i]! += performance.now() - began;
        }
        for (const [i, engine] of engines.entries())
          for (const [j, accounts] of flags.entries()) if (i !== j) engine.noteFlagged(block.number, accounts);
      }
      return { single: singleSpent, partitions: spent };
    } finally {
      await store.close();
      await database.drop();
    }
  }

  async function cluster(workers: number): Promise<number> {
    const nats: NatsServer = await startNatsServer();
    const database = await createTestDatabase(adminUrl);
    const store = await openStore({ url: database.url });
    const config = configFile(nats.url);
    const connection = await connectCluster(
      { natsUrl: nats.url, partitions, ackWaitMs: 30_000, leaseMs: 10_000, duplicateWindowMs: 600_000 },
      'bench',
    );
    const children = Array.from({ length: workers }, () =>
      spawn(process.execPath, [bin, 'monitor', '--config', config, '--role', 'detect'], {
        env: { ...process.env, DATABASE_URL: database.url },
        stdio: ['ignore', 'ignore', 'inherit'],
      }),
    );
    try {
      const judgedThrough = async (block: bigint) => {
        const rows = await listClusterPartitions(store, 31337);
        return rows.length === used && rows.every((row) => row.blockNumber >= block);
      };
      const publish = (block: Block) =>
        connection.js.publish('bulwark.blocks.31337', encodeMessage({ kind: 'block', block, tip: block }), {
          msgID: `31337:${block.hash}`,
        });
      // The workers share the partitions out first (leases), so none moves during the timed run.
      const usedPartitions = [...new Set(contracts.map((contract) => partitionOf(contract, partitions)))];
      for (;;) {
        const owners = await Promise.all(
          usedPartitions.map((p) => connection.leases.get(`detect.31337.${p}`).then((entry) => entry?.string())),
        );
        const holders = new Set(owners.filter((owner) => owner));
        if (owners.every((owner) => owner) && holders.size === Math.min(workers, usedPartitions.length)) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await publish(warmUp!);
      while (!(await judgedThrough(warmUp!.number))) await new Promise((resolve) => setTimeout(resolve, 50));
      const began = performance.now();
      for (const block of timed) await publish(block);
      const last = timed.at(-1)!.number;
      while (!(await judgedThrough(last))) await new Promise((resolve) => setTimeout(resolve, 20));
      return txs / ((performance.now() - began) / 1000);
    } finally {
      for (const child of children) child.kill('SIGTERM');
      await Promise.all(children.map((child) => new Promise((resolve) => child.once('exit', resolve))));
      await connection.close();
      await store.close();
      await database.drop();
      await nats.stop();
    }
  }

  const single = await singleProcess();
  console.error(`single process: ${single.toFixed(0)} tx/s`);
  const split = await engineSplit();
  console.error(
    `engine: single ${split.single.toFixed(0)} ms; partitions ${split.partitions.map((ms) => ms.toFixed(0)).join(', ')} ms`,
  );
  const rates = new Map<number, number>();
  for (const workers of workerCounts) {
    rates.set(workers, await cluster(workers));
    console.error(`${workers} detect worker(s): ${rates.get(workers)!.toFixed(0)} tx/s`);
  }
  const one = rates.get(1)!;
  const machine = `${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)}`;
  const data = `${timed.length} blocks × ${txsPerBlock} txs (${events} events) to ${contractCount} contracts over ${partitions} partitions (${used} used); ${machine}`;
  // Rates are measured in transactions; the same blocks carry `events` events, so events/s = tx/s × events ÷ txs.
  const perTx = events / txs;
  const rows = [...rates].map(([workers, rate]) => {
    const efficiency = rate / (workers * one);
    return `| ${date} | ${commit} | ${data} | detect, ${workers} worker process(es): ${(rate * perTx).toFixed(0)} events/s, ${rate.toFixed(0)} tx/s (per-worker efficiency ${(efficiency * 100).toFixed(0)}%) | single process detect ${(single * perTx).toFixed(0)} events/s, ${single.toFixed(0)} tx/s | ${(rate / single).toFixed(2)} |`;
  });
  const busiest = Math.max(...split.partitions);
  const total = split.partitions.reduce((sum, ms) => sum + ms, 0);
  rows.push(
    `| ${date} | ${commit} | ${data} | engine work split over the ${used} used partitions (rules on own contracts' transactions, flags handed over; no NATS, no store): busiest partition ${busiest.toFixed(0)} ms, all partitions together ${total.toFixed(0)} ms (${(total / split.single).toFixed(2)}× one engine) | one engine judging every contract ${split.single.toFixed(0)} ms | ${(busiest / split.single).toFixed(2)} |`,
  );
  for (const row of rows) console.log(row);
  if (append)
    recordBenchmarkRows(
      {
        name: 'cluster',
        title: 'Cluster: detect throughput by worker processes (npm run bench:cluster)',
        intro:
          'Events and transactions per second through the detect role (real nats-server, PostgreSQL, `bulwark monitor --role detect` processes) with 1, 2 and 3 workers, against the single-process detect (same engine and rules, one store transaction per block) in the same run. Per-worker efficiency: rate / (workers × rate with one worker). The machine has few cores shared with nats-server, PostgreSQL and anvil: past that many busy processes the figure shows the cap, not the design.',
      },
      rows,
    );
} finally {
  await node.stop();
  rmSync(work, { recursive: true, force: true });
}
