/**
 * Fault drills of the cluster roles against real processes: nats-server (JetStream), PostgreSQL,
 * anvil, and the real `bulwark monitor --role …` processes. The traffic raises one alert per block
 * (a listed address pays the watched contract), so the JSONL sink shows, block by block, what the
 * cluster judged; the block stream itself is read to check that ingest published every block once.
 * Waits are on conditions (lines, rows, messages), never on time.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase, postgresAdminUrl } from '@bulwark/store/testing';
import pg from 'pg';
import { type Address, concat, encodeFunctionData, type Hex, keccak256, parseAbi } from 'viem';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type FakeNode,
  forwardTo,
  startFakeNode,
  startTcpProxy,
  startTestNode,
  type TcpProxy,
  type TestNode,
} from '../../chain/src/testing.ts';
import { killSpawnedClis, type SpawnedCli, spawnCli, waitFor } from '../../cli/src/testing.ts';
import { type ResponderTestChain, startResponderChain } from '../../monitor/src/responder/testing.ts';
import { findPostgresBinaries, type PostgresServer, startPostgres } from '../../store/src/postgres-server.ts';
import { decodeMessage } from './codec.ts';
import { blockStream, type ClusterConnection, connectCluster, decisionStream } from './jetstream.ts';
import { type BlockMessage, partitionOf } from './messages.ts';
import { type NatsServer, natsSkipReason, startNatsServer } from './testing.ts';

const ruleId = 'known-malicious-address';
/** Generous: a cold start compiles the CLI (seconds on a shared machine). */
const patience = 180_000;
const drillTimeout = { timeout: 6 * patience };
const settings = { partitions: 2, ackWaitMs: 3_000, leaseMs: 2_000, duplicateWindowMs: 600_000 };

const natsSkip = natsSkipReason();
const admin = natsSkip ? undefined : await postgresAdminUrl();
const skip = natsSkip ?? (admin && 'skip' in admin ? admin.skip : undefined);

type JsonAlert = { id: string; ruleId: string; blockNumber: string; retracted?: unknown };

const work = mkdtempSync(path.join(tmpdir(), 'bulwark-cluster-drills-'));
// The tests of a describe share their processes: they are killed when it ends (its afterAll).
afterAll(() => {
  killSpawnedClis();
  rmSync(work, { recursive: true, force: true });
});

/** A `bulwark monitor --role …` process named `name`; `env` is its whole environment beyond PATH and HOME. */
function startRole(
  name: string,
  config: string,
  role: string,
  env: Record<string, string>,
  extra: string[] = [],
): SpawnedCli {
  return spawnCli(['monitor', '--config', config, '--role', role, ...extra], { cwd: work, env, name });
}

async function kill(running: SpawnedCli): Promise<void> {
  await running.stop('SIGKILL');
}

function readAlerts(file: string, rule = ruleId): JsonAlert[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as JsonAlert)
    .filter((alert) => alert.ruleId === rule && !alert.retracted);
}

const hasAlertFor = (file: string, block: bigint) =>
  readAlerts(file).some((alert) => BigInt(alert.blockNumber) === block);

/** Every block in from..to has exactly one alert id, and no sink line repeats. */
function expectOneAlertPerBlock(file: string, from: bigint, to: bigint): void {
  const alerts = readAlerts(file);
  const byBlock = new Map<bigint, Set<string>>();
  for (const alert of alerts) {
    const block = BigInt(alert.blockNumber);
    byBlock.set(block, (byBlock.get(block) ?? new Set()).add(alert.id));
  }
  const missing: bigint[] = [];
  const doubled: bigint[] = [];
  for (let block = from; block <= to; block++) {
    const ids = byBlock.get(block);
    if (!ids) missing.push(block);
    else if (ids.size > 1) doubled.push(block);
  }
  expect({ missing, doubled, lines: alerts.length }).toEqual({ missing: [], doubled: [], lines: alerts.length });
  expect(new Set(alerts.map((alert) => alert.id)).size).toBe(alerts.length);
}

/** The `/metrics` a role started with `--metrics-port 0` serves (its port from the log), as `series → value`. */
async function scrape(running: SpawnedCli): Promise<Map<string, number>> {
  const port = await waitFor(
    '/metrics to listen',
    () => /Metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(running.stderr())?.[1],
    [running],
  );
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  const series = new Map<string, number>();
  for (const line of (await response.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    series.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return series;
}

/** `bulwark monitor --status` to its end (exit 0 required); its stdout. */
async function runStatus(config: string, env: Record<string, string>, format: 'text' | 'json'): Promise<string> {
  const status = spawnCli(['monitor', '--config', config, '--status', '--format', format], { cwd: work, env });
  const code = await status.exited;
  if (code !== 0) throw new Error(`${status.name} exited ${code}:\n${status.stderr()}`);
  return status.stdout();
}

/** The block numbers in the chain's block stream, in stream order. */
async function publishedBlocks(cluster: ClusterConnection): Promise<bigint[]> {
  const info = await cluster.jsm.streams.info(blockStream);
  const numbers: bigint[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const stored = await cluster.jsm.streams.getMessage(blockStream, { seq });
    const message = decodeMessage<BlockMessage>(stored!.data);
    if (message.kind === 'block') numbers.push(message.block.number);
  }
  return numbers;
}

/** Ingest published each block from..to exactly once, in order. */
async function expectEachBlockPublishedOnce(cluster: ClusterConnection, from: bigint, to: bigint): Promise<void> {
  const published = (await publishedBlocks(cluster)).filter((n) => n >= from && n <= to);
  const expected: bigint[] = [];
  for (let n = from; n <= to; n++) expected.push(n);
  expect(published).toEqual(expected);
}

/** One transaction, one block (automine), one alert: the listed address pays the watched one. The block, from its receipt. */
async function payingBlock(node: TestNode, from: string, to: string): Promise<bigint> {
  const hash = await node.rpc<string>('eth_sendTransaction', [{ from, to, value: '0x1' }]);
  for (;;) {
    const receipt = await node.rpc<{ blockNumber: string } | null>('eth_getTransactionReceipt', [hash]);
    if (receipt) return BigInt(receipt.blockNumber);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * An endpoint in front of anvil that turns bad on demand: `stale` freezes its head where it is
 * (later blocks are not there), `forked` serves every block under another hash (parents, receipts
 * and all: a consistent forked view), `honest` forwards.
 */
type BadEndpoint = { node: FakeNode; mode(next: 'honest' | 'stale' | 'forked'): Promise<void> };

async function startBadEndpoint(target: TestNode): Promise<BadEndpoint> {
  const forward = forwardTo(target.anvil.rpcUrl);
  let mode: 'honest' | 'stale' | 'forked' = 'honest';
  let frozen = 0n;
  const fakeOf = new Map<string, string>();
  const realOf = new Map<string, string>();
  let learned = 0n;
  // One learner at a time: concurrent requests would skip blocks.
  let learning: Promise<void> = Promise.resolve();
  const learnHashes = () => {
    learning = learning.then(async () => {
      const head = await target.blockNumber();
      for (; learned <= head; learned++) {
        const block = await target.rpc<{ hash: string }>('eth_getBlockByNumber', [`0x${learned.toString(16)}`, false]);
        const fake = keccak256(concat([block.hash as Hex, '0xf0']));
        fakeOf.set(block.hash, fake);
        realOf.set(fake, block.hash);
      }
    });
    return learning;
  };
  const swap = (text: string, map: Map<string, string>) =>
    text.replace(/0x[0-9a-f]{64}/gi, (hash) => map.get(hash.toLowerCase()) ?? hash);
  const node = await startFakeNode(async (request, response, incoming) => {
    if (mode === 'stale') {
      if (request.method === 'eth_blockNumber') return `0x${frozen.toString(16)}`;
      const [at] = request.params;
      if (at === 'latest') request.params[0] = `0x${frozen.toString(16)}`;
      else if (typeof at === 'string' && /^0x[0-9a-f]{1,16}$/i.test(at) && BigInt(at) > frozen) return null;
    }
    if (mode !== 'forked') return forward(request, response, incoming);
    await learnHashes();
    const upstream = await fetch(target.anvil.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: swap(
        JSON.stringify({ jsonrpc: '2.0', id: request.id, method: request.method, params: request.params }),
        realOf,
      ),
    });
    const text = await upstream.text();
    // A block mined meanwhile is in the answer too.
    await learnHashes();
    response.setHeader('content-type', 'application/json');
    response.end(swap(text, fakeOf));
  });
  return {
    node,
    async mode(next) {
      if (next === 'stale') frozen = await target.blockNumber();
      mode = next;
    },
  };
}

type Backends = {
  nats: NatsServer;
  database: { url: string; drop(): Promise<void> };
  cluster: ClusterConnection;
  stop(): Promise<void>;
};

/** A drill's own nats-server, PostgreSQL database and a connection to look at the streams. */
async function startBackends(
  partitions: number = settings.partitions,
  adminUrl = (admin as { url: string }).url,
): Promise<Backends> {
  const nats = await startNatsServer();
  const database = await createTestDatabase(adminUrl);
  const cluster = await connectCluster({ natsUrl: nats.url, ...settings, partitions }, 'drill');
  return {
    nats,
    database,
    cluster,
    async stop() {
      killSpawnedClis();
      await cluster.close();
      await nats.stop();
      await database.drop();
    },
  };
}

/**
 * A drill's config in `dir`: the cluster, one chain evaluated from `first`, the contracts, the
 * attacker listed (each payment of it alerts; no cooldown folds them), a JSONL sink.
 */
function writeDrillConfig(
  dir: string,
  parameters: {
    backends: Backends;
    partitions?: number;
    rpcUrl: string;
    /** Listed before `rpcUrl` (preferred). */
    badUrl?: string | undefined;
    first: bigint;
    attacker: string;
    contracts: Record<string, unknown>[];
    baseline?: Record<string, unknown>;
    composite?: Record<string, unknown>;
  },
): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'exploiters.txt'), `${parameters.attacker} drill exploiter\n`);
  const config = path.join(dir, 'monitor.json');
  writeFileSync(
    config,
    JSON.stringify({
      cluster: {
        natsUrl: parameters.backends.nats.url,
        ...settings,
        partitions: parameters.partitions ?? settings.partitions,
      },
      chains: [
        {
          id: 31337,
          rpc: parameters.badUrl ? [parameters.badUrl, parameters.rpcUrl] : [parameters.rpcUrl],
          pollingIntervalMs: 100,
          startBlock: Number(parameters.first),
        },
      ],
      contracts: parameters.contracts,
      threatIntel: ['exploiters.txt'],
      baseline: parameters.baseline ?? { learnBlocks: 3 },
      ...(parameters.composite ? { composite: parameters.composite } : {}),
      alerts: { cooldownMs: 0 },
      sinks: [{ type: 'jsonl', path: 'alerts.jsonl' }],
    }),
  );
  return config;
}

/** A drill with one watched contract (code `0x00`) that the listed attacker pays: one alert per block. */
type PayingDrill = {
  node: TestNode;
  backends: Backends;
  config: string;
  sink: string;
  env: Record<string, string>;
  /** The first block the cluster evaluates. */
  first: bigint;
  /** The node behind a link the test cuts, when asked for. */
  proxy: TcpProxy | undefined;
  /** An endpoint listed before the node that the test turns stale or forked, when asked for. */
  bad: BadEndpoint | undefined;
  alertingBlock(): Promise<bigint>;
  stop(): Promise<void>;
};

async function startPayingDrill(
  name: string,
  options: { adminUrl?: string | undefined; viaProxy?: boolean; blocksBefore?: number; badEndpoint?: boolean } = {},
): Promise<PayingDrill> {
  const node = await startTestNode();
  const attacker = node.accounts[1]!;
  const watched = '0x00000000000000000000000000000000000d1e11';
  await node.rpc('anvil_setCode', [watched, '0x00']);
  const alertingBlock = () => payingBlock(node, attacker, watched);
  // Every role reaches the node through the proxy when asked: the test cuts it, the chain keeps its state.
  const proxy = options.viaProxy ? await startTcpProxy(Number(new URL(node.anvil.rpcUrl).port)) : undefined;
  // Preferred over the honest node, so the sync follows it until it is demoted.
  const bad = options.badEndpoint ? await startBadEndpoint(node) : undefined;
  const backends = await startBackends(settings.partitions, options.adminUrl);
  for (let i = 0; i < (options.blocksBefore ?? 0); i++) await alertingBlock();
  const first = (await node.blockNumber()) + 1n;
  const dir = path.join(work, name);
  const config = writeDrillConfig(dir, {
    backends,
    rpcUrl: proxy ? `http://127.0.0.1:${proxy.port}` : node.anvil.rpcUrl,
    badUrl: bad?.node.url,
    first,
    attacker,
    contracts: [{ chain: 31337, address: watched, name: 'Watched', kind: 'other' }],
  });
  return {
    node,
    backends,
    config,
    sink: path.join(dir, 'alerts.jsonl'),
    env: { DATABASE_URL: backends.database.url },
    first,
    proxy,
    bad,
    alertingBlock,
    async stop() {
      await backends.stop();
      await proxy?.close();
      await bad?.node.close();
      await node.stop();
    },
  };
}

const vaultAbi = parseAbi(['function deposit() payable', 'function withdraw(uint256)']);
const depositCall = encodeFunctionData({ abi: vaultAbi, functionName: 'deposit' });

/** A pausable vault paused automatically by its guardian, learned on three deposits by accounts[2]. */
type VaultDrill = {
  chain: ResponderTestChain;
  backends: Backends;
  vault: Address;
  guardian: Address;
  accounts: Address[];
  config: string;
  sink: string;
  env: Record<string, string>;
  /** Sends the transactions (gas 0x30000 unless given), then mines them in one block; its number. */
  block(txs: { from: Address; data: Hex; value?: bigint; gas?: bigint }[]): Promise<bigint>;
  /** Whether every detect partition judged through block `number`. */
  judgedThrough(number: bigint): Promise<boolean>;
  stop(): Promise<void>;
};

async function startVaultDrill(
  name: string,
  options: {
    /** The threat-intel address (the drill's `attacker` entry), from the node's accounts. */
    listed: (accounts: Address[]) => Address;
    rules: Record<string, unknown>;
    composite?: Record<string, unknown>;
  },
): Promise<VaultDrill> {
  const chain = await startResponderChain();
  const key = await chain.newGuardian();
  const guardian = key.account.address;
  const vault = await chain.deployPausable(guardian);
  const accounts = await chain.rpc<Address[]>('eth_accounts');
  async function block(txs: { from: Address; data: Hex; value?: bigint; gas?: bigint }[]): Promise<bigint> {
    const hashes: Hex[] = [];
    for (const tx of txs)
      hashes.push(
        await chain.rpc<Hex>('eth_sendTransaction', [
          {
            from: tx.from,
            to: vault,
            data: tx.data,
            value: `0x${(tx.value ?? 0n).toString(16)}`,
            gas: `0x${(tx.gas ?? 0x30000n).toString(16)}`,
          },
        ]),
      );
    // The node mines nothing by itself.
    await chain.mine();
    const receipts = await Promise.all(hashes.map((hash) => chain.client.waitForTransactionReceipt({ hash })));
    return receipts[0]!.blockNumber;
  }
  // What the vault is used for while it is learned: deposits.
  for (let i = 0; i < 3; i++) await block([{ from: accounts[2]!, data: depositCall, value: 10n ** 15n }]);
  const backends = await startBackends();
  const dir = path.join(work, name);
  const config = writeDrillConfig(dir, {
    backends,
    rpcUrl: chain.anvil.rpcUrl,
    first: (await chain.client.getBlockNumber({ cacheTime: 0 })) + 1n,
    attacker: options.listed(accounts),
    contracts: [
      {
        chain: 31337,
        address: vault,
        name: 'Vault',
        kind: 'vault',
        assets: ['native'],
        breaker: { kind: 'guardian', autoPause: true, guardian: { privateKeyEnv: 'GUARDIAN_KEY' } },
        rules: options.rules,
      },
    ],
    baseline: { learnBlocks: 20, warmUpTxs: 0, warmUpBlocks: 0 },
    composite: options.composite,
  });
  return {
    chain,
    backends,
    vault,
    guardian,
    accounts,
    config,
    sink: path.join(dir, 'alerts.jsonl'),
    env: { DATABASE_URL: backends.database.url, GUARDIAN_KEY: key.privateKey },
    block,
    async judgedThrough(number) {
      const client = new pg.Client({ connectionString: backends.database.url });
      await client.connect();
      try {
        const { rows } = await client.query('select min(block_number)::text as n from cluster_partitions');
        return rows[0].n !== null && BigInt(rows[0].n) >= number;
      } finally {
        await client.end();
      }
    },
    async stop() {
      await backends.stop();
      await chain.stop();
    },
  };
}

describe.skipIf(skip !== undefined)('cluster drills (nats-server + PostgreSQL + anvil + the CLI roles)', () => {
  describe('ingest: leader killed, nats-server restarted', () => {
    let drill: PayingDrill;
    let cluster: ClusterConnection;
    let nats: NatsServer;
    let config: string;
    let sink: string;
    let env: Record<string, string>;
    let first: bigint;
    let worker: SpawnedCli;
    let leader: SpawnedCli;
    let follower: SpawnedCli;
    const alertingBlock = () => drill.alertingBlock();

    beforeAll(async () => {
      drill = await startPayingDrill('ingest', { blocksBefore: 3 });
      ({ config, sink, env, first } = drill);
      ({ cluster, nats } = drill.backends);
    }, patience);
    afterAll(() => drill?.stop());

    test(
      'behavior: the ingest leader killed mid-stream: the follower takes over; no block skipped or doubled',
      drillTimeout,
      async () => {
        leader = startRole('ingest-1', config, 'ingest', env);
        await waitFor('the first ingest leader', () => /ingest leader/.test(leader.stderr()), [leader]);
        follower = startRole('ingest-2', config, 'ingest', env);
        worker = startRole('detect+respond', config, 'detect,respond', env);
        await waitFor('the follower to stand by', () => /ingest standing by/.test(follower.stderr()), [follower]);
        let last = 0n;
        for (let i = 0; i < 3; i++) last = await alertingBlock();
        await waitFor(`alerts through block ${last}`, () => hasAlertFor(sink, last), [leader, follower, worker]);

        // Killed while blocks keep coming.
        const sending = (async () => {
          for (let i = 0; i < 4; i++) await alertingBlock();
        })();
        await kill(leader);
        await sending;
        for (let i = 0; i < 4; i++) last = await alertingBlock();
        await waitFor('the follower to lead', () => /ingest leader/.test(follower.stderr()), [follower]);
        await waitFor(`alerts through block ${last}`, () => hasAlertFor(sink, last), [follower, worker]);
        expect(follower.stderr()).toMatch(/publishing from after block \d+/);
        await expectEachBlockPublishedOnce(cluster, first, last);
        expectOneAlertPerBlock(sink, first, last);
      },
    );

    test(
      'behavior: nats-server killed and restarted mid-stream: nothing lost, nothing doubled',
      drillTimeout,
      async () => {
        let last = await alertingBlock();
        await waitFor(`alerts through block ${last}`, () => hasAlertFor(sink, last), [follower, worker]);
        await nats.kill();
        // Blocks come while the server is down: ingest holds them and publishes once it is back.
        for (let i = 0; i < 3; i++) last = await alertingBlock();
        await nats.start();
        for (let i = 0; i < 3; i++) last = await alertingBlock();
        await waitFor(`alerts through block ${last}`, () => hasAlertFor(sink, last), [follower, worker]);
        await expectEachBlockPublishedOnce(cluster, first, last);
        expectOneAlertPerBlock(sink, first, last);
      },
    );

    test(
      'behavior: --status shows the head, lag, leader and each consumer with its pending counts; SIGTERM exits 0',
      drillTimeout,
      async () => {
        const last = await alertingBlock();
        await waitFor(`alerts through block ${last}`, () => hasAlertFor(sink, last), [follower, worker]);
        const owner = /ingest leader \((\S+)\)/.exec(
          follower
            .stderr()
            .split('\n')
            .filter((line) => /ingest leader/.test(line))
            .at(-1)!,
        )?.[1];
        const json = await runStatus(config, env, 'json');
        const status = JSON.parse(json) as { chains: Record<string, unknown>[] };
        expect(status.chains).toHaveLength(1);
        const [chainStatus] = status.chains as {
          chainId: number;
          head: string;
          published: string;
          lag: string;
          leader: string;
          partitions: {
            partition: number;
            judgedThrough: string | null;
            consumer: { pending: number; inFlight: number } | null;
          }[];
          respond: { pending: number; inFlight: number } | null;
        }[];
        expect(chainStatus).toMatchObject({ chainId: 31337, leader: owner });
        expect(BigInt(chainStatus!.head)).toBeGreaterThanOrEqual(last);
        expect(BigInt(chainStatus!.published)).toBe(last);
        expect(BigInt(chainStatus!.lag)).toBe(BigInt(chainStatus!.head) - last);
        // The one watched contract's partition judged every block; nothing waits.
        const judged = chainStatus!.partitions.filter((partition) => partition.judgedThrough !== null);
        expect(judged).toHaveLength(1);
        expect(judged[0]).toMatchObject({ judgedThrough: last.toString(), consumer: { pending: 0, inFlight: 0 } });
        expect(chainStatus!.respond).toMatchObject({ pending: 0, inFlight: 0 });
        const text = await runStatus(config, env, 'text');
        expect(text).toContain(
          `Chain 31337: head ${chainStatus!.head}, published ${last}, lag ${chainStatus!.lag} block(s), ingest leader ${owner}`,
        );
        expect(text).toMatch(/detect partition \d: judged through \d+; pending 0, in flight 0/);

        follower.child.kill('SIGTERM');
        worker.child.kill('SIGTERM');
        expect(await follower.exited).toBe(0);
        expect(await worker.exited).toBe(0);
      },
    );
  });

  describe('detect: a worker killed mid-block', () => {
    let drill: VaultDrill;
    let chain: ResponderTestChain;
    let cluster: ClusterConnection;
    let database: Backends['database'];
    let vault: Address;
    let guardian: Address;
    let env: Record<string, string>;
    let config: string;
    let sink: string;
    let attacker: Address;
    const inBlock = (from: Address, data: Hex, value = 0n) => drill.block([{ from, data, value }]);
    const deposit = (from: Address) => inBlock(from, depositCall, 10n ** 15n);

    beforeAll(async () => {
      drill = await startVaultDrill('detect', {
        listed: (accounts) => accounts[3]!,
        rules: { 'unknown-selector': { minCalls: 1 } },
      });
      ({ chain, vault, guardian, env, config, sink } = drill);
      ({ cluster, database } = drill.backends);
      attacker = drill.accounts[3]!;
    }, patience);
    afterAll(() => drill?.stop());

    test(
      'behavior: another worker finishes the block; exactly one pause for the incident; a decision sent again changes nothing',
      drillTimeout,
      async () => {
        const ingest = startRole('ingest', config, 'ingest', env);
        const respond = startRole('respond', config, 'respond', env);
        const workerA = startRole('detect-a', config, 'detect', env);
        const all = () => [ingest, respond, workerA];
        await waitFor('ingest to lead', () => /ingest leader/.test(ingest.stderr()), all());
        // Its pause sender prepared at start (nonce, gas, pause() simulated), as one process does.
        await waitFor(
          'respond to prepare its pause sender',
          () => /Chain 31337 respond: 1 contract\(s\) ready to pause/.test(respond.stderr()),
          all(),
        );
        // The attacker's first step: a deposit (a known function): an alert, no pause.
        const probe = await deposit(attacker);
        await waitFor(`the alert of block ${probe}`, () => hasAlertFor(sink, probe), all());

        // Worker A will publish its decision on the next block and then hang saving the partition:
        // the test holds the partition's row.
        const lock = new pg.Client({ connectionString: database.url });
        await lock.connect();
        await lock.query('begin');
        await lock.query('select * from cluster_partitions for update');
        const strike = await inBlock(
          attacker,
          encodeFunctionData({ abi: vaultAbi, functionName: 'withdraw', args: [10n ** 15n] }),
        );
        await waitFor(
          'worker A to hang mid-block',
          async () => {
            const { rows } = await lock.query(
              "select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
            );
            return rows[0].n > 0;
          },
          all(),
        );
        const workerB = startRole('detect-b', config, 'detect', env);
        await waitFor('worker B to start', () => /Cluster roles detect started/.test(workerB.stderr()), [workerB]);
        await kill(workerA);
        await lock.query('commit');
        await lock.end();

        // Worker B gets the block after the ack wait and judges it from the saved state.
        await waitFor('the partition to move past the strike', () => drill.judgedThrough(strike), [
          ingest,
          respond,
          workerB,
        ]);
        await waitFor(
          'the pause to be broadcast',
          async () => (await chain.pendingCount()) > 0 || (await chain.paused(vault)),
          [respond],
        );
        await chain.mine();
        await waitFor('the vault to be paused', () => chain.paused(vault), [respond]);
        await waitFor(`the alert of block ${strike}`, () => hasAlertFor(sink, strike), [respond]);

        // The same decision again under another message id (past the de-duplication window, or a
        // retry that escaped it): respond's idempotency keys turn it away.
        const decisions = await cluster.jsm.streams.info(decisionStream);
        let resent = 0;
        for (let seq = decisions.state.first_seq; seq <= decisions.state.last_seq; seq++) {
          const stored = await cluster.jsm.streams.getMessage(decisionStream, { seq });
          await cluster.js.publish(stored!.subject, stored!.data, { msgID: `again:${seq}` });
          resent++;
        }
        expect(resent).toBeGreaterThan(0);
        await waitFor('respond to take every decision', async () => {
          const info = await cluster.jsm.consumers.info(decisionStream, 'respond-31337');
          return info.num_pending === 0 && info.num_ack_pending === 0;
        }, [respond]);
        await chain.mine();

        // One pause transaction from the guardian, ever; one composite alert; one alert per attacker block.
        expect(await chain.nonce(guardian)).toBe(1);
        expect(readAlerts(sink, 'composite-score')).toHaveLength(1);
        expectOneAlertPerBlock(sink, probe, strike);

        // Detect hears of the pause before its next block, as one process does: the vault's score
        // starts again, and the partition's saved composite memory holds none of the attacker's
        // signals (without it they would stay there for `windowBlocks`; the pause transaction's
        // own block may add the guardian's).
        type Memory = { signals: { signal: { actor?: string } }[]; pausesHeard: string[] };
        const memoryOf = async () => {
          const client = new pg.Client({ connectionString: database.url });
          await client.connect();
          try {
            const { rows } = await client.query(
              "select stats from baselines where metric_key = 'composite-memory' and lower(address) = lower($1)",
              [vault],
            );
            return rows[0]?.stats as Memory | undefined;
          } finally {
            await client.end();
          }
        };
        const fromAttacker = (memory: Memory | undefined) =>
          memory?.signals.filter((entry) => entry.signal.actor?.toLowerCase() === attacker.toLowerCase()).length;
        // One more block for the worker to judge (it may have heard of it at the pause's own block).
        await chain.mine();
        await waitFor(
          'detect to hear of the pause',
          () => /was paused; its composite score starts again/.test(workerB.stderr()),
          [ingest, respond, workerB],
        );
        await waitFor('the memory saved without the attack', async () => fromAttacker(await memoryOf()) === 0, [
          workerB,
        ]);
        expect((await memoryOf())?.pausesHeard).toEqual([expect.stringMatching(/^pause:31337:0x[0-9a-f]{40}:\d+$/i)]);
        expect(workerB.stderr().match(/was paused; its composite score starts again/g)).toHaveLength(1);
        for (const running of [ingest, respond, workerB]) running.child.kill('SIGTERM');
        for (const running of [ingest, respond, workerB]) expect(await running.exited).toBe(0);
      },
    );
  });

  describe('composite memory across a takeover', () => {
    let drill: VaultDrill;

    beforeAll(async () => {
      drill = await startVaultDrill('takeover', {
        // Listed, but never seen here: the attack's signals come from the baseline rules.
        listed: (accounts) => accounts[5]!,
        rules: { 'unknown-selector': { minCalls: 1 }, 'failed-call-burst': { minSamples: 1, minFailed: 1 } },
        // Probing (failed calls, preparation) and an unknown withdrawal (exploitation, 0.5) each fall
        // short alone; together they cross.
        composite: { pauseScore: 0.6 },
      });
    }, patience);
    afterAll(() => drill?.stop());

    test(
      'behavior: the worker taking the partition over pauses on signals from both sides of the takeover',
      drillTimeout,
      async () => {
        const { chain, backends, vault, guardian, config, env, sink, block, judgedThrough } = drill;
        const attacker = drill.accounts[3]!;
        const ingest = startRole('ingest', config, 'ingest', env);
        const respond = startRole('respond', config, 'respond', env);
        const workerA = startRole('detect-a', config, 'detect', env);
        const all = () => [ingest, respond, workerA];
        await waitFor('ingest to lead', () => /ingest leader/.test(ingest.stderr()), all());
        const funded = await block([{ from: attacker, data: depositCall, value: 10n ** 15n }]);
        await waitFor(`worker A to judge block ${funded}`, () => judgedThrough(funded), all());
        // Probing: two deposits that run out of gas, in one block. Worker A judges it: no pause.
        const probed = await block([
          { from: attacker, data: depositCall, value: 1n, gas: 23_000n },
          { from: attacker, data: depositCall, value: 1n, gas: 23_000n },
        ]);
        await waitFor(`worker A to judge block ${probed}`, () => judgedThrough(probed), all());
        await waitFor('the probe alert', () => readAlerts(sink, 'failed-call-burst').length > 0, all());
        expect(readAlerts(sink, 'failed-call-burst').map((alert) => BigInt(alert.blockNumber))).toEqual([probed]);
        expect(await chain.paused(vault)).toBe(false);

        // Worker A dies; worker B takes the partition over.
        const workerB = startRole('detect-b', config, 'detect', env);
        await waitFor('worker B to start', () => /Cluster roles detect started/.test(workerB.stderr()), [workerB]);
        await kill(workerA);
        const lease = `detect.31337.${partitionOf(vault, settings.partitions)}`;
        await waitFor(
          'worker B to hold the partition',
          async () => (await backends.cluster.leases.get(lease))?.string().endsWith(`:${workerB.child.pid}`),
          [workerB],
        );

        // The exploit: an unknown function that pays out. Alone it would not pause.
        const strike = await block([
          { from: attacker, data: encodeFunctionData({ abi: vaultAbi, functionName: 'withdraw', args: [10n ** 15n] }) },
        ]);
        await waitFor(
          'the pause to be broadcast',
          async () => (await chain.pendingCount()) > 0 || (await chain.paused(vault)),
          [ingest, respond, workerB],
        );
        await chain.mine();
        await waitFor('the vault to be paused', () => chain.paused(vault), [respond]);
        await waitFor('the composite alert', () => readAlerts(sink, 'composite-score').length > 0, [respond]);
        // Worker B never judged the probe: its signal came with the partition's saved memory.
        const composite = readAlerts(sink, 'composite-score');
        expect(composite.map((alert) => BigInt(alert.blockNumber))).toEqual([strike]);
        expect(JSON.stringify(composite[0])).toContain('failed-call-burst');
        expect(await chain.nonce(guardian)).toBe(1);
        for (const running of [ingest, respond, workerB]) running.child.kill('SIGTERM');
        for (const running of [ingest, respond, workerB]) expect(await running.exited).toBe(0);
      },
    );
  });

  describe('reorg across an alert with three detect workers', () => {
    let node: TestNode;
    let backends: Backends;
    let cluster: ClusterConnection;
    let attacker: Hex;
    const dir = path.join(work, 'reorg');
    const sink = path.join(dir, 'alerts.jsonl');
    let config: string;
    let env: Record<string, string>;
    /** Three watched contracts, one in each of the three partitions. */
    const watched: string[] = [];

    /** One block with one payment from the listed address to each watched contract: three alerts, one per partition. */
    async function alertingBlock(): Promise<bigint> {
      const hashes: string[] = [];
      for (const to of watched)
        hashes.push(await node.rpc<string>('eth_sendTransaction', [{ from: attacker, to, value: '0x1' }]));
      await node.mine();
      const receipt = await node.rpc<{ blockNumber: string }>('eth_getTransactionReceipt', [hashes[0]]);
      return BigInt(receipt.blockNumber);
    }
    const alertsOf = (block: bigint) => readAlerts(sink).filter((alert) => BigInt(alert.blockNumber) === block);
    const retractions = () =>
      readFileSync(sink, 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as JsonAlert)
        .filter((alert) => alert.retracted);

    beforeAll(async () => {
      node = await startTestNode({ noMining: true });
      attacker = node.accounts[1]!;
      for (let i = 0; watched.length < 3; i++) {
        const address = `0x${(0xd1e100 + i).toString(16).padStart(40, '0')}`;
        if (!watched.some((other) => partitionOf(other, 3) === partitionOf(address, 3))) watched.push(address);
      }
      for (const address of watched) await node.rpc('anvil_setCode', [address, '0x00']);
      await node.mine();
      backends = await startBackends(3);
      ({ cluster } = backends);
      config = writeDrillConfig(dir, {
        backends,
        partitions: 3,
        rpcUrl: node.anvil.rpcUrl,
        first: (await node.blockNumber()) + 1n,
        attacker,
        contracts: watched.map((address, i) => ({ chain: 31337, address, name: `Watched${i}`, kind: 'other' })),
      });
      env = { DATABASE_URL: backends.database.url };
    }, patience);
    afterAll(async () => {
      await backends?.stop();
      await node?.stop();
    });

    test('behavior: each alert of the dropped block is retracted once; the others stay', drillTimeout, async () => {
      const ingest = startRole('ingest', config, 'ingest', env);
      const respond = startRole('respond', config, 'respond', env);
      const workers = [0, 1, 2].map((i) => startRole(`detect-${i}`, config, 'detect', env));
      const all = [ingest, respond, ...workers];
      // The three workers share the three partitions out: one each.
      await waitFor(
        'one partition per worker',
        async () => {
          const owners = await Promise.all(
            [0, 1, 2].map((p) => cluster.leases.get(`detect.31337.${p}`).then((entry) => entry?.string())),
          );
          return owners.every((owner) => owner) && new Set(owners).size === 3;
        },
        all,
      );
      const before = await alertingBlock();
      await waitFor(`three alerts of block ${before}`, () => alertsOf(before).length === 3, all);
      const snapshot = await node.snapshot();
      const doomed = await alertingBlock();
      await waitFor(`three alerts of block ${doomed}`, () => alertsOf(doomed).length === 3, all);
      const doomedIds = alertsOf(doomed)
        .map((alert) => alert.id)
        .sort();
      // Replace the block by an empty one, and build on it.
      await node.revert(snapshot);
      await node.mine(2);
      await waitFor('the retractions', () => retractions().length >= 3, all);
      const after = await alertingBlock();
      await waitFor(`three alerts of block ${after}`, () => alertsOf(after).length === 3, all);
      expect(
        retractions()
          .map((alert) => alert.id)
          .sort(),
      ).toEqual(doomedIds);
      expect(alertsOf(before)).toHaveLength(3);
      expect(new Set(readAlerts(sink).map((alert) => alert.id)).size).toBe(readAlerts(sink).length);
      for (const running of all) running.child.kill('SIGTERM');
      for (const running of all) expect(await running.exited).toBe(0);
    });
  });

  // Its own PostgreSQL server, to kill: only where the binaries are (CI has them, beside its TEST_DATABASE_URL).
  describe.skipIf('missing' in findPostgresBinaries())('PostgreSQL restarted mid-stream', () => {
    let postgres: PostgresServer;
    let drill: PayingDrill;

    beforeAll(async () => {
      postgres = await startPostgres();
      drill = await startPayingDrill('postgres', { adminUrl: postgres.url });
    }, patience);
    afterAll(async () => {
      await drill?.stop();
      await postgres?.stop();
    });

    test('behavior: detect and respond wait PostgreSQL out; nothing lost, nothing doubled', drillTimeout, async () => {
      const { config, env, sink, first, backends } = drill;
      const alertingBlock = () => drill.alertingBlock();
      const ingest = startRole('ingest', config, 'ingest', env);
      const detect = startRole('detect', config, 'detect', env);
      const respond = startRole('respond', config, 'respond', env);
      const all = [ingest, detect, respond];
      await waitFor('ingest to lead', () => /ingest leader/.test(ingest.stderr()), all);
      let last = 0n;
      for (let i = 0; i < 2; i++) last = await alertingBlock();
      await waitFor(`alerts through block ${last}`, () => hasAlertFor(sink, last), all);
      // Blocks keep coming while the server goes down (immediate stop, as a crash) and back.
      const sending = (async () => {
        for (let i = 0; i < 4; i++) await alertingBlock();
      })();
      await postgres.restart();
      await sending;
      for (let i = 0; i < 3; i++) last = await alertingBlock();
      await waitFor(`alerts through block ${last}`, () => hasAlertFor(sink, last), all);
      await expectEachBlockPublishedOnce(backends.cluster, first, last);
      expectOneAlertPerBlock(sink, first, last);
      for (const running of all) running.child.kill('SIGTERM');
      for (const running of all) expect(await running.exited).toBe(0);
    });
  });

  describe('the RPC node cut off and back', () => {
    let drill: PayingDrill;

    beforeAll(async () => {
      drill = await startPayingDrill('rpc', { viaProxy: true });
    }, patience);
    afterAll(() => drill?.stop());

    test(
      'behavior: ingest catches up on the blocks mined while the node was unreachable, each once',
      drillTimeout,
      async () => {
        const { config, env, sink, first, backends } = drill;
        const proxy = drill.proxy!;
        const alertingBlock = () => drill.alertingBlock();
        const ingest = startRole('ingest', config, 'ingest', env);
        const worker = startRole('detect+respond', config, 'detect,respond', env);
        const all = [ingest, worker];
        await waitFor('ingest to lead', () => /ingest leader/.test(ingest.stderr()), all);
        let last = await alertingBlock();
        await waitFor(`alerts through block ${last}`, () => hasAlertFor(sink, last), all);
        proxy.refuse();
        for (let i = 0; i < 5; i++) last = await alertingBlock();
        await waitFor(
          'ingest to notice the node is unreachable',
          () => /cannot follow the chain/.test(ingest.stderr()),
          all,
        );
        proxy.accept();
        for (let i = 0; i < 2; i++) last = await alertingBlock();
        await waitFor(`alerts through block ${last}`, () => hasAlertFor(sink, last), all);
        // One line for the outage and one for the recovery, not one per retry.
        await waitFor('the recovery line', () => /following again after/.test(ingest.stderr()), all);
        expect(ingest.stderr().match(/cannot follow the chain/g)).toHaveLength(1);
        await expectEachBlockPublishedOnce(backends.cluster, first, last);
        expectOneAlertPerBlock(sink, first, last);
        for (const running of all) running.child.kill('SIGTERM');
        for (const running of all) expect(await running.exited).toBe(0);
      },
    );
  });
  describe('an endpoint that serves a stale head, then a forked view, while another is honest', () => {
    let drill: PayingDrill;
    let ingest: SpawnedCli;
    let worker: SpawnedCli;

    beforeAll(async () => {
      drill = await startPayingDrill('bad-endpoint', { badEndpoint: true });
    }, patience);
    afterAll(() => drill?.stop());

    /** Every block in the stream from..to carries the honest node's hash. */
    async function expectHonestHashes(from: bigint, to: bigint): Promise<void> {
      const info = await drill.backends.cluster.jsm.streams.info(blockStream);
      const wrong: string[] = [];
      for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
        const stored = await drill.backends.cluster.jsm.streams.getMessage(blockStream, { seq });
        const message = decodeMessage<BlockMessage>(stored!.data);
        if (message.kind !== 'block' || message.block.number < from || message.block.number > to) continue;
        const honest = await drill.node.rpc<{ hash: string }>('eth_getBlockByNumber', [
          `0x${message.block.number.toString(16)}`,
          false,
        ]);
        if (honest.hash !== message.block.hash) wrong.push(`${message.block.number}: ${message.block.hash}`);
      }
      expect(wrong).toEqual([]);
    }

    test(
      'behavior: a stale head is demoted (logged once, shown by --status) and the honest node followed; back in line, reinstated',
      drillTimeout,
      async () => {
        const { config, env, sink, first, backends } = drill;
        const bad = drill.bad!;
        ingest = startRole('ingest', config, 'ingest', env, ['--metrics-port', '0']);
        worker = startRole('detect+respond', config, 'detect,respond', env, ['--metrics-port', '0']);
        const all = [ingest, worker];
        await waitFor('ingest to lead', () => /ingest leader/.test(ingest.stderr()), all);
        let last = 0n;
        for (let i = 0; i < 2; i++) last = await drill.alertingBlock();
        await waitFor(`alerts through block ${last}`, () => hasAlertFor(sink, last), all);

        await bad.mode('stale');
        for (let i = 0; i < 5; i++) last = await drill.alertingBlock();
        await waitFor('the stale endpoint demoted', () => /demoted \(stale\)/.test(ingest.stderr()), all);
        await waitFor(`alerts through block ${last}`, () => hasAlertFor(sink, last), all);
        const status = JSON.parse(await runStatus(config, env, 'json')) as {
          chains: { endpoints: { name: string; demoted: { reason: string } | null }[] }[];
        };
        expect(status.chains[0]!.endpoints.map((endpoint) => endpoint.demoted?.reason ?? 'in line')).toEqual([
          'stale',
          'in line',
        ]);
        expect(await runStatus(config, env, 'text')).toMatch(/endpoint .+: head \d+, demoted \(stale\) since/);
        // The same in /metrics, from either process.
        const [badName, honestName] = status.chains[0]!.endpoints.map((endpoint) => JSON.stringify(endpoint.name));
        for (const running of [ingest, worker]) {
          const metrics = await scrape(running);
          expect(
            metrics.get(`bulwark_cluster_rpc_endpoint_demoted{chain="31337",endpoint=${badName},reason="stale"}`),
          ).toBe(1);
          expect(
            metrics.get(`bulwark_cluster_rpc_endpoint_demoted{chain="31337",endpoint=${honestName},reason=""}`),
          ).toBe(0);
        }
        for (let i = 0; i < 2; i++) last = await drill.alertingBlock();
        await waitFor(`alerts through block ${last}`, () => hasAlertFor(sink, last), all);
        expect(ingest.stderr().match(/demoted \(stale\)/g)).toHaveLength(1);

        await bad.mode('honest');
        await waitFor('the endpoint reinstated', () => /reinstated/.test(ingest.stderr()), all);
        last = await drill.alertingBlock();
        await waitFor(`alerts through block ${last}`, () => hasAlertFor(sink, last), all);
        await expectEachBlockPublishedOnce(backends.cluster, first, last);
        await expectHonestHashes(first, last);
        expectOneAlertPerBlock(sink, first, last);
      },
    );

    test(
      'behavior: a forked view is demoted before any of its blocks is published; every block once, with the honest hash; no retraction',
      drillTimeout,
      async () => {
        const { sink, first, backends } = drill;
        const all = [ingest, worker];
        await drill.bad!.mode('forked');
        let last = 0n;
        for (let i = 0; i < 3; i++) last = await drill.alertingBlock();
        await waitFor('the forked endpoint demoted', () => /demoted \(wrong\)/.test(ingest.stderr()), all);
        await waitFor(`alerts through block ${last}`, () => hasAlertFor(sink, last), all);
        for (let i = 0; i < 2; i++) last = await drill.alertingBlock();
        await waitFor(`alerts through block ${last}`, () => hasAlertFor(sink, last), all);
        expect(ingest.stderr().match(/demoted \(wrong\)/g)).toHaveLength(1);
        await expectEachBlockPublishedOnce(backends.cluster, first, last);
        await expectHonestHashes(first, last);
        expectOneAlertPerBlock(sink, first, last);
        const retracted = readFileSync(sink, 'utf8')
          .split('\n')
          .filter((line) => line.trim() !== '' && (JSON.parse(line) as JsonAlert).retracted);
        expect(retracted).toEqual([]);

        // /metrics: the --status figures, and what each process did (one block, one decision, one alert each).
        const blocks = Number(last - first + 1n);
        await waitFor(
          'respond to take every decision',
          async () => {
            const info = await backends.cluster.jsm.consumers.info(decisionStream, 'respond-31337');
            return info.num_pending === 0 && info.num_ack_pending === 0;
          },
          all,
        );
        const fromIngest = await scrape(ingest);
        const fromWorker = await scrape(worker);
        for (const metrics of [fromIngest, fromWorker]) {
          expect(metrics.get('bulwark_cluster_published_block{chain="31337"}')).toBe(Number(last));
          expect(metrics.get('bulwark_cluster_chain_head{chain="31337"}')).toBeGreaterThanOrEqual(Number(last));
          expect(metrics.get('bulwark_cluster_lag_blocks{chain="31337"}')).toBe(
            metrics.get('bulwark_cluster_chain_head{chain="31337"}')! - Number(last),
          );
          expect(metrics.get('bulwark_cluster_consumer_pending{chain="31337",consumer="respond-31337"}')).toBe(0);
          expect([...metrics.keys()].filter((key) => key.startsWith('bulwark_cluster_ingest_leader{'))).toHaveLength(1);
        }
        expect(fromIngest.get('bulwark_cluster_messages_published_total{chain="31337",stream="blocks"}')).toBe(blocks);
        expect(fromIngest.get('bulwark_cluster_ingest_outages_total{chain="31337"}')).toBe(0);
        expect(fromWorker.get('bulwark_cluster_messages_published_total{chain="31337",stream="decisions"}')).toBe(
          blocks,
        );
        expect(fromWorker.get('bulwark_cluster_decisions_total{chain="31337"}')).toBe(blocks);
        expect(fromWorker.get('bulwark_cluster_messages_acked_total{chain="31337",role="detect"}')).toBe(blocks);
        expect(fromWorker.get('bulwark_cluster_messages_acked_total{chain="31337",role="respond"}')).toBe(blocks);
        expect(
          fromWorker.get('bulwark_cluster_messages_redelivered_total{chain="31337",role="detect"}'),
        ).toBeUndefined();
        for (const running of all) running.child.kill('SIGTERM');
        for (const running of all) expect(await running.exited).toBe(0);
      },
    );
  });
});

test.skipIf(skip === undefined)(`cluster drills skipped: ${skip}`, () => {});
