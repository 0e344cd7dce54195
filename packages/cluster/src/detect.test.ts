/**
 * The detect role in this process against real parts: nats-server, the store (both engines) and
 * anvil's blocks (receipts and traces). Blocks queued before the role starts are judged in batches:
 * fewer saves of the partition's state than blocks, and the same decisions, message for message,
 * as judging them one at a time. Waits are on conditions, never on time.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Block, createCapabilityTracker, createRpcPool, fetchBlock } from '@bulwark/chain';
import { allRules, loadMonitorConfig, type MonitorConfig } from '@bulwark/monitor';
import { getClusterPartition, type StoreClient } from '@bulwark/store';
import { describeStore } from '@bulwark/store/testing';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestNode, type TestNode } from '../../chain/src/testing.ts';
import { decodeMessage } from './codec.ts';
import { detectBatchMax, runDetect } from './detect.ts';
import { publishBlock } from './ingest.ts';
import {
  blockStream,
  blockSubject,
  connectCluster,
  decisionStream,
  detectConsumer,
  orderedWorkConsumer,
} from './jetstream.ts';
import { type DecisionMessage, partitionOf } from './messages.ts';
import { natsSkipReason, startNatsServer } from './testing.ts';

const skip = natsSkipReason();
const chainId = 31337;
const partitions = 2;
const blockCount = 16;

describeStore('detect batches the waiting blocks (nats-server + anvil)', (ctx) => {
  if (skip !== undefined) {
    test.skip(skip, () => {});
    return;
  }
  let node: TestNode;
  let blocks: Block[];
  let config: MonitorConfig;
  const work = mkdtempSync(path.join(tmpdir(), 'bulwark-detect-batch-'));
  /** Two watched contracts in each partition. */
  const watched: `0x${string}`[] = [];

  beforeAll(async () => {
    node = await startTestNode({ noMining: true });
    for (let i = 0; watched.length < 2 * partitions; i++) {
      const address = `0x${(0xba7c00 + i).toString(16).padStart(40, '0')}` as const;
      const inPartition = watched.filter(
        (other) => partitionOf(other, partitions) === partitionOf(address, partitions),
      );
      if (inPartition.length < 2) watched.push(address);
    }
    for (const address of watched) await node.rpc('anvil_setCode', [address, '0x00']);
    await node.mine();
    const first = (await node.blockNumber()) + 1n;
    // A listed sender pays every contract now and then: alerts in both partitions.
    const listed = node.accounts[5]!;
    for (let b = 0; b < blockCount; b++) {
      for (let t = 0; t < 4; t++) {
        const from = b % 3 === 1 && t === 0 ? listed : node.accounts[t]!;
        await node.rpc('eth_sendTransaction', [{ from, to: watched[(b + t) % watched.length], value: '0x3e8' }]);
      }
      await node.mine();
    }
    const pool = createRpcPool({ endpoints: [node.anvil.rpcUrl] });
    const capabilities = createCapabilityTracker();
    blocks = [];
    for (let n = first; n < first + BigInt(blockCount); n++)
      blocks.push(await fetchBlock(pool, { chainId, number: n, capabilities }));
    writeFileSync(path.join(work, 'exploiters.txt'), `${listed} test exploiter\n`);
    const file = path.join(work, 'monitor.json');
    writeFileSync(
      file,
      JSON.stringify({
        chains: [{ id: chainId, rpc: [node.anvil.rpcUrl], startBlock: Number(first) }],
        contracts: watched.map((address, i) => ({ chain: chainId, address, name: `Watched${i}`, kind: 'other' })),
        threatIntel: ['exploiters.txt'],
        baseline: { learnBlocks: 0 },
        simulation: { enabled: false },
        alerts: { cooldownMs: 0 },
        sinks: [],
      }),
    );
    config = loadMonitorConfig(file, { rules: allRules, env: {} });
  });

  afterAll(async () => {
    await node?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  /**
   * Queues every block, then runs detect until each partition saved the last one: the saves per
   * partition (with the messages each covered) and every decision published, in stream order.
   */
  async function judgeQueued(
    store: StoreClient,
    batchMax: number | undefined,
    /** Another worker (that then dies) holds the first block message of each partition, unacknowledged. */
    firstHeldElsewhere = false,
  ) {
    const nats = await startNatsServer();
    const connection = await connectCluster(
      {
        natsUrl: nats.url,
        partitions,
        ackWaitMs: firstHeldElsewhere ? 2_000 : 30_000,
        leaseMs: 2_000,
        duplicateWindowMs: 60_000,
      },
      'detect-test',
    );
    const stop = new AbortController();
    const lines: string[] = [];
    try {
      for (const block of blocks)
        await publishBlock(connection, chainId, { kind: 'block', block, tip: block }, stop.signal);
      if (firstHeldElsewhere)
        for (let partition = 0; partition < partitions; partition++) {
          const consumer = await orderedWorkConsumer(connection, {
            stream: blockStream,
            durable: detectConsumer(chainId, partition),
            filterSubject: blockSubject(chainId),
            maxAckPending: detectBatchMax,
          });
          const held = await consumer.next({ expires: 5_000 });
          expect(held?.seq).toBe(1);
        }
      const saves = new Map<number, number[]>();
      const last = blocks.at(-1)!.number;
      const judged = new Set<number>();
      let allJudged!: () => void;
      const done = new Promise<void>((resolve) => {
        allJudged = resolve;
      });
      const running = runDetect({
        config,
        store,
        rules: allRules,
        env: {},
        log: (line) => lines.push(line),
        connection,
        owner: 'detect-test',
        signal: stop.signal,
        batchMax,
        onSaved: (saved) => saves.set(saved.partition, [...(saves.get(saved.partition) ?? []), saved.messages]),
        onJudged: (entry) => {
          if (entry.block === last) judged.add(entry.partition);
          if (judged.size === partitions) allJudged();
        },
      });
      await Promise.race([done, running]);
      stop.abort();
      await running;
      for (let partition = 0; partition < partitions; partition++)
        expect((await getClusterPartition(store, { chainId, partition }))?.blockNumber).toBe(last);
      const stream = await connection.jsm.streams.info(decisionStream);
      const decisions: DecisionMessage[] = [];
      for (let seq = stream.state.first_seq; seq <= stream.state.last_seq; seq++) {
        const stored = await connection.jsm.streams.getMessage(decisionStream, { seq });
        decisions.push(decodeMessage<DecisionMessage>(stored!.data));
      }
      return { saves, decisions, lines };
    } finally {
      stop.abort();
      await connection.close();
      await nats.stop();
    }
  }

  test('behavior: queued blocks are saved in fewer transactions than blocks, with the decisions of one at a time; none judged past a block a dead worker held', async () => {
    const oneAtATime = await judgeQueued(await ctx.open(), 1);
    const batched = await judgeQueued(await ctx.open(), undefined);
    for (let partition = 0; partition < partitions; partition++) {
      expect(oneAtATime.saves.get(partition)).toEqual(blocks.map(() => 1));
      const saves = batched.saves.get(partition)!;
      // Every block in some save, and fewer saves than blocks (the queue was there from the start).
      expect(saves.reduce((sum, messages) => sum + messages, 0)).toBe(blockCount);
      expect(saves.length).toBeLessThan(blockCount);
    }
    // Each partition's decisions in block order, the same ones (alerts, ids, verdicts) either way;
    // only when each alert was raised (the wall clock) differs.
    const withoutClock = (decision: DecisionMessage) =>
      decision.kind === 'decision'
        ? { ...decision, alerts: decision.alerts.map(({ at: _at, ...alert }) => alert) }
        : decision;
    const byPartition = (decisions: DecisionMessage[]) =>
      Array.from({ length: partitions }, (_, partition) =>
        decisions.filter((d) => d.partition === partition).map(withoutClock),
      );
    expect(byPartition(batched.decisions)).toEqual(byPartition(oneAtATime.decisions));
    for (const own of byPartition(batched.decisions)) expect(own).toHaveLength(blockCount);
    // The traffic is not idle: the listed sender raised alerts.
    const alerts = batched.decisions.flatMap((decision) => (decision.kind === 'decision' ? decision.alerts : []));
    expect(alerts.length).toBeGreaterThan(0);

    // A worker that died holding each partition's first block: the later blocks wait for it
    // (redelivered after the ack wait) and every block is judged once, in order, as before.
    const afterDeath = await judgeQueued(await ctx.open(), undefined, true);
    expect(afterDeath.lines.some((line) => /another worker still holds earlier blocks/.test(line))).toBe(true);
    expect(byPartition(afterDeath.decisions)).toEqual(byPartition(oneAtATime.decisions));
  }, 120_000);
});
