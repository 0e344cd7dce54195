/**
 * npm run bench:cluster-latency — block arrival → pause broadcast, the cluster (separate
 * `--role ingest`, `--role detect` and `--role respond` processes over nats-server and PostgreSQL)
 * against the single process (`bulwark monitor`, PostgreSQL), the same scripted attacks on each.
 *
 * The attacks and victims are bench:monitor's (`bench/monitor/attacks.ts`, `victims.ts`), with its
 * benign traffic around them: BENCH_LATENCY_KITS kits (default 4) of eight victims per side, each
 * learned from 20 blocks of traffic, then every attack struck once on each kit. Each side watches
 * its own kits; the sides run one after the other on the same anvil.
 *
 * Measured the same way for both, at the node: each monitor process talks to anvil through a
 * recording proxy (`recordingProxy.ts`; HTTP polling every 50 ms, mempool off, so every pause is
 * decided on a block). A pause's latency is from the first time the proxy handed its block out as
 * the head to the pause transaction (`eth_sendRawTransaction` to the victim) reaching the proxy;
 * its block is the newest one handed out before it. The first pause per victim counts.
 *
 * Flags: --quick (one kit per side), --no-append (print only), --single-only (the single process
 * alone, printed with its RPC calls per block by method; nothing appended).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { connectCluster, defaultClusterSettings, partitionOf } from '@bulwark/cluster';
import { loadArtifacts } from '@bulwark/contracts';
import { createRandom } from '@bulwark/core';
import { getCheckpoint, listAlerts, listClusterPartitions, openStore, type StoreClient } from '@bulwark/store';
import { createTestDatabase, postgresAdminUrl } from '@bulwark/store/testing';
import { type Address, parseAbi, parseGwei, toHex } from 'viem';
import { type DemoChain, devKeys, startDemoChain } from '../../packages/cli/src/demo/demoChain.ts';
import { decisionStream, respondConsumer } from '../../packages/cluster/src/jetstream.ts';
import { startNatsServer } from '../../packages/cluster/src/testing.ts';
import { benchmarkRowCollector, recordBenchmarkRows } from '../benchmarksFile.ts';
import { type AttackName, attackNames, attackPlans } from '../monitor/attacks.ts';
import { createSender } from '../monitor/chain.ts';
import { attackerFee, type FeeBid, percentile } from '../monitor/fees.ts';
import { createBenignTraffic } from '../monitor/traffic.ts';
import { deployKit, deployShared, type Kit, openCast, openDesk, victimKeys } from '../monitor/victims.ts';
import { type MonitorProcess, startMonitorProcess, waitUntil, writeConfig } from './processes.ts';
import { firstPauseLatencies, type RecordingProxy, startRecordingProxy } from './recordingProxy.ts';

const quick = process.argv.includes('--quick');
const singleOnly = process.argv.includes('--single-only');
const append = !process.argv.includes('--no-append') && !singleOnly;
const kitsPerSide = quick ? 1 : Number(process.env.BENCH_LATENCY_KITS ?? 4);
const learningBlocks = 20;
const chainId = 31337;
const began = performance.now();
const log = (line: string) =>
  console.error(`[${((performance.now() - began) / 1000).toFixed(0).padStart(4)} s] ${line}`);
const pausedAbi = parseAbi(['function paused() view returns (bool)']);

const demoChain = await startDemoChain();
/**
 * The demo chain, with every labelled account topped up each time it is asked for: the kits reuse
 * the same labels (founders, users, whales), and many kits would drain them.
 */
const chain: DemoChain = {
  ...demoChain,
  async account(label) {
    const account = await demoChain.account(label);
    if (!label.startsWith('0x'))
      await demoChain.rpc({ method: 'anvil_setBalance', params: [account.address, toHex(10n ** 22n)] });
    return account;
  },
};
const work = mkdtempSync(path.join(tmpdir(), 'bulwark-bench-latency-'));
const admin = await postgresAdminUrl();
if ('skip' in admin) throw new Error(admin.skip);
const adminUrl = admin.url;

type Side = {
  name: 'single' | 'cluster';
  kits: { kit: Kit; traffic: ReturnType<typeof createBenignTraffic> }[];
  /** The attacks that ended with their victim not paused. */
  missed: AttackName[];
};

try {
  const artifacts = await loadArtifacts();
  const sender = createSender(chain);
  const { cast, guardian } = await openCast(chain);
  const owner = cast.admin;
  const fee: FeeBid = { type: 'eip1559', priorityFee: parseGwei('1') };
  await sender.refreshBaseFee();
  const shared = await deployShared(chain, sender, artifacts, owner, fee);
  const desk = await openDesk(chain, sender, artifacts, shared, owner, fee);
  await chain.mine();
  const random = createRandom(7);

  log(`Deploying ${kitsPerSide} kit(s) of eight victims per side, each learned from ${learningBlocks} blocks…`);
  const sides: Side[] = [];
  for (const name of singleOnly ? (['single'] as const) : (['single', 'cluster'] as const)) {
    const side: Side = { name, kits: [], missed: [] };
    for (let k = 0; k < kitsPerSide; k++) {
      const kit = await deployKit(chain, sender, artifacts, shared, cast, 'bulwark', guardian.address, fee);
      const traffic = createBenignTraffic({
        chain,
        sender,
        artifacts,
        shared,
        kit,
        cast,
        random,
        users: 8,
        txsPerBlock: 10,
      });
      await traffic.setUp();
      for (let b = 0; b < learningBlocks; b++) {
        await traffic.sendBlock();
        await chain.mine();
        await traffic.afterBlock();
      }
      side.kits.push({ kit, traffic });
    }
    sides.push(side);
  }

  /** The side's config: its victims guarded with autoPause, their pairs and the stable token, watched through `rpc`. */
  function configOf(side: Side, rpc: string, startBlock: bigint, natsUrl?: string) {
    const contracts = side.kits.flatMap(({ kit }, k) => [
      ...victimKeys.map((key) => {
        const victim = kit.victims[key];
        const abi = path.join(work, `${side.name}-${k}-${key}.abi.json`);
        writeFileSync(abi, JSON.stringify(victim.abi));
        return {
          chain: chainId,
          address: victim.address,
          name: `${victim.name}-${k}`,
          kind: victim.kind,
          abi,
          assets: victim.assets,
          breaker: { kind: 'guardian', autoPause: true, guardian: { privateKeyEnv: 'GUARDIAN_KEY' } },
        };
      }),
      {
        chain: chainId,
        address: kit.pairA,
        name: `PairA-${k}`,
        kind: 'pool',
        assets: [shared.stable, shared.collateral],
      },
      {
        chain: chainId,
        address: kit.pairB,
        name: `PairB-${k}`,
        kind: 'pool',
        assets: [shared.stable, shared.collateral],
      },
    ]);
    return {
      ...(natsUrl ? { cluster: { natsUrl, partitions: defaultClusterSettings.partitions } } : {}),
      chains: [{ id: chainId, rpc: [rpc], pollingIntervalMs: 50, mempool: false, startBlock: Number(startBlock) }],
      contracts: [...contracts, { chain: chainId, address: shared.stable, name: 'bUSD', kind: 'token' }],
      baseline: { learnBlocks: 100_000 },
      sinks: [],
    };
  }

  /** Runs every attack once on each of the side's kits while `processedThrough(block)` tells when the monitor is done with a block. */
  async function strike(side: Side, running: MonitorProcess[], processedThrough: (block: bigint) => Promise<boolean>) {
    const mineAndWait = async () => {
      const number = await chain.mine();
      await waitUntil(`block ${number} to be handled`, () => processedThrough(number), {
        watching: running,
        timeoutMs: 180_000,
        everyMs: 20,
      });
      return number;
    };
    // The monitor learns the history and judges its first blocks before the attacks.
    for (let i = 0; i < 2; i++) {
      for (const { traffic } of side.kits) await traffic.sendBlock();
      await mineAndWait();
    }
    const plans = attackPlans({ maxRounds: 12 });
    const isPaused = (address: Address) =>
      chain.client.readContract({ address, abi: pausedAbi, functionName: 'paused' });
    for (const [k, { kit, traffic }] of side.kits.entries()) {
      const candidates = [...traffic.users().map((user) => user.address), ...kit.founders.map((f) => f.address)];
      for (const name of attackNames as readonly AttackName[]) {
        const plan = plans[name];
        const victim = kit.victims[plan.victim];
        const attacker = await chain.account(`attacker-${name}-${side.name}-${k}`);
        const loot = (await chain.account(`loot-${name}-${side.name}-${k}`)).address;
        const attackFee = attackerFee(parseGwei('1'), 20);
        const prepared = await plan.prepare({
          chain,
          sender,
          artifacts,
          shared,
          kit,
          admin: owner,
          attacker,
          loot,
          fee: attackFee,
          desk,
          candidates,
        });
        for (let i = 0; i < 3; i++) {
          await traffic.sendBlock();
          await mineAndWait();
          await traffic.afterBlock();
        }
        const atRiskBefore = await prepared.atRisk();
        for (let round = 0; round < prepared.maxRounds; round++) {
          if (round > 0 && (await isPaused(victim.address))) break;
          await traffic.sendBlock();
          if ((await prepared.step(round)).length === 0) break;
          await mineAndWait();
          await traffic.afterBlock();
        }
        await traffic.sendBlock();
        await mineAndWait();
        await traffic.afterBlock();
        const paused = await isPaused(victim.address);
        const lost =
          atRiskBefore > 0n ? Number(((atRiskBefore - (await prepared.atRisk())) * 1000n) / atRiskBefore) / 10 : 0;
        if (!paused) side.missed.push(name);
        log(
          `  ${side.name}: ${name} on kit ${k + 1}: ${paused ? 'paused' : 'not paused'} (${lost.toFixed(1)}% of the value at risk lost)`,
        );
      }
    }
  }

  /** The first pause per victim, each against the arrival of the newest block handed out before it. */
  const latencies = (side: Side, proxy: RecordingProxy) =>
    firstPauseLatencies(
      proxy,
      new Set(side.kits.flatMap(({ kit }) => victimKeys.map((key) => kit.victims[key].address.toLowerCase()))),
    ).map((pause) => pause.ms);

  async function withStore<T>(run: (store: StoreClient, url: string) => Promise<T>): Promise<T> {
    const database = await createTestDatabase(adminUrl);
    const store = await openStore({ url: database.url });
    try {
      return await run(store, database.url);
    } finally {
      // With BENCH_CLUSTER_LOGS=DIR, the alerts each side recorded, beside the processes' logs.
      const logs = process.env.BENCH_CLUSTER_LOGS;
      if (logs)
        writeFileSync(
          path.join(logs, `alerts-${database.url.split('/').pop()}.json`),
          JSON.stringify(
            await listAlerts(store),
            (_key, value) => (typeof value === 'bigint' ? String(value) : value),
            1,
          ),
        );
      await store.close();
      await database.drop();
    }
  }
  const env = (url: string) => ({ DATABASE_URL: url, GUARDIAN_KEY: devKeys.guardian });

  async function runSingle(side: Side): Promise<number[]> {
    const proxy = await startRecordingProxy(chain.anvil.rpcUrl);
    const head = await chain.client.getBlockNumber({ cacheTime: 0 });
    const file = writeConfig(work, 'single', configOf(side, proxy.url, head + 1n));
    try {
      return await withStore(async (store, url) => {
        const monitor = startMonitorProcess('single process', file, { env: env(url) });
        try {
          await strike(
            side,
            [monitor],
            async (block) => ((await getCheckpoint(store, chainId))?.blockNumber ?? 0n) >= block,
          );
        } finally {
          await monitor.stop();
        }
        if (singleOnly) {
          const blocks = Math.max(proxy.headSeenAt.size, 1);
          const perBlock = [...proxy.calls]
            .sort((a, b) => b[1] - a[1])
            .map(([m, n]) => `${m} ${(n / blocks).toFixed(1)}`);
          log(`Single process: RPC calls per block (${blocks} blocks): ${perBlock.join(', ')}`);
        }
        return latencies(side, proxy);
      });
    } finally {
      await proxy.close();
    }
  }

  async function runCluster(side: Side): Promise<number[]> {
    const proxy = await startRecordingProxy(chain.anvil.rpcUrl);
    const nats = await startNatsServer();
    const head = await chain.client.getBlockNumber({ cacheTime: 0 });
    const config = configOf(side, proxy.url, head + 1n, nats.url);
    const file = writeConfig(work, 'cluster', config);
    const partitions = new Set(
      config.contracts.map((contract) => partitionOf(contract.address, defaultClusterSettings.partitions)),
    );
    const connection = await connectCluster({ ...defaultClusterSettings, natsUrl: nats.url }, 'bench');
    try {
      return await withStore(async (store, url) => {
        const running = [
          startMonitorProcess('ingest', file, { role: 'ingest', env: env(url) }),
          startMonitorProcess('detect', file, { role: 'detect', env: env(url) }),
          startMonitorProcess('respond', file, { role: 'respond', env: env(url) }),
        ];
        try {
          await strike(side, running, async (block) => {
            const judged = await listClusterPartitions(store, chainId);
            if (judged.length < partitions.size || judged.some((row) => row.blockNumber < block)) return false;
            const respond = await connection.jsm.consumers
              .info(decisionStream, respondConsumer(chainId))
              .catch(() => undefined);
            return respond !== undefined && respond.num_pending === 0 && respond.num_ack_pending === 0;
          });
        } finally {
          for (const process of running) await process.stop();
        }
        return latencies(side, proxy);
      });
    } finally {
      await connection.close();
      await nats.stop();
      await proxy.close();
    }
  }

  log('Single process: attacks…');
  const single = await runSingle(sides[0]!);
  log(`Single process: ${single.length} pauses.`);
  if (singleOnly) {
    log(
      `Single process: slowest pauses (ms): ${[...single]
        .sort((a, b) => b - a)
        .slice(0, 5)
        .map((ms) => ms.toFixed(0))
        .join(', ')}`,
    );
    const machine = `${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)}`;
    console.log(
      `single process, ${victimKeys.length * kitsPerSide} guarded victims (${machine}): p50 ${percentile(single, 50).toFixed(1)} ms, p99 ${percentile(single, 99).toFixed(1)} ms, max ${Math.max(...single).toFixed(1)} ms over ${single.length} pauses (${attackNames.length * kitsPerSide - sides[0]!.missed.length} of ${attackNames.length * kitsPerSide} attacks ended paused)`,
    );
  } else {
    log('Cluster (ingest, detect, respond processes): attacks…');
    const clustered = await runCluster(sides[1]!);
    log(`Cluster: ${clustered.length} pauses.`);

    const p = (values: number[], q: number) => (values.length === 0 ? Number.NaN : percentile(values, q));
    const machine = `${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)}`;
    const data = `${attackNames.length} bench:monitor attacks × ${kitsPerSide} kit(s) per side, benign traffic around them; polling 50 ms through a recording proxy, mempool off; ${machine}`;
    const attacks = attackNames.length * kitsPerSide;
    const describe = (values: number[], side: Side) =>
      `p50 ${p(values, 50).toFixed(1)} ms, p99 ${p(values, 99).toFixed(1)} ms, max ${Math.max(...values).toFixed(1)} ms over ${values.length} pauses (${attacks - side.missed.length} of ${attacks} attacks ended paused${side.missed.length ? `; not: ${side.missed.join(', ')}` : ''})`;
    const collector = benchmarkRowCollector();
    collector.row(
      data,
      `block arrival → pause broadcast at the node, cluster (ingest, detect, respond processes; nats-server, PostgreSQL): ${describe(clustered, sides[1]!)}`,
      `single process (bulwark monitor, PostgreSQL), same attacks: ${describe(single, sides[0]!)}`,
      `p99 ${(p(clustered, 99) / p(single, 99)).toFixed(2)}, p50 ${(p(clustered, 50) / p(single, 50)).toFixed(2)}`,
    );
    if (append)
      recordBenchmarkRows(
        {
          name: 'cluster-latency',
          title: 'Cluster: block arrival → pause broadcast across processes (npm run bench:cluster-latency)',
          intro:
            'The same bench:monitor attacks against the cluster’s separate ingest, detect and respond processes and against the single process, measured at the node for both: from the first time a recording proxy in front of anvil handed the block out as the head to the pause transaction reaching it. Ratio cluster / single.',
        },
        collector.rows,
      );
  }
} finally {
  await chain.stop();
  rmSync(work, { recursive: true, force: true });
}
