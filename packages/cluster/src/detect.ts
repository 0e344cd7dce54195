import { decide, type Monitor, type MonitorConfig } from '@bulwark/monitor';
import { getClusterPartition, setClusterPartition, withTransaction } from '@bulwark/store';
import type { Consumer, JsMsg } from '@nats-io/jetstream';
import { decodeMessage, encodeMessage } from './codec.ts';
import {
  blockStream,
  blockSubject,
  type ClusterConnection,
  decisionSubject,
  detectConsumer,
  orderedWorkConsumer,
} from './jetstream.ts';
import { type BlockMessage, type DecisionMessage, decisionMessageId, stableId } from './messages.ts';
import { createFactsHub, createPartitionFacts, type FactsHub } from './partitionFacts.ts';
import { createPartitionLeases, type PartitionLeases } from './partitionLeases.ts';
import { createPartitionProfiles, type PartitionProfiles } from './partitionProfiles.ts';
import { createPartitionMemory } from './partitionState.ts';
import { ownResult, type PartitionWork, partitionWork } from './partitionWork.ts';
import { retrying, sleep } from './retry.ts';
import { monitorFor, type RoleBase, warn } from './stageParts.ts';

/*
 * Detect: every chain's contracts are split into partitions (hash(address) mod N; each engine
 * watches the whole chain, runs the rules on its own contracts' transactions and reports its own
 * contracts; the partitions of a chain hand each other what their rules flagged, see
 * `partitionWork.ts` and `partitionFacts.ts`). Each partition
 * has one durable consumer of the chain's blocks, shared by every detect process and pulled only by
 * the worker holding the partition's lease: a contract's blocks are judged in order, by one worker
 * at a time. The worker takes the block messages waiting (up to `detectBatchMax`; a live block
 * alone, never waiting for more), judges them in order publishing each decision and its facts,
 * then saves the partition's baselines, composite signals (`partitionState.ts`) and its place in
 * the stream in PostgreSQL in one transaction for the batch, then acknowledges the batch. A worker
 * that dies mid-batch leaves it unacknowledged: after `ackWaitMs` another worker gets it, loads the
 * state as it stood and judges it again (the same decision ids and alert ids: nothing doubles
 * downstream); messages at or below the saved place are acknowledged and skipped. A worker never
 * judges past an earlier unacknowledged message (`earlierUnjudged`).
 */

export type DetectParameters = RoleBase & {
  connection: ClusterConnection;
  /** This process, as the partition leases name it. */
  owner: string;
  signal: AbortSignal;
  /** At most this many waiting block messages judged per save of a partition (default `detectBatchMax`; 1: one at a time). */
  batchMax?: number | undefined;
  /** Called after each save of a partition's state, with the block messages it covers (tests). */
  onSaved?: ((saved: { chainId: number; partition: number; messages: number }) => void) | undefined;
  /** Called after each block a partition judged (benchmarks, tests). */
  onJudged?:
    | ((judged: { chainId: number; partition: number; block: bigint; transactions: number }) => void)
    | undefined;
};

type Contract = MonitorConfig['contracts'][number];

/**
 * Runs one loop per partition of every chain until `signal` aborts; a loop pulls only while this
 * worker holds the partition's lease (see `createPartitionLeases`).
 */
export async function runDetect(parameters: DetectParameters): Promise<void> {
  const { config, connection } = parameters;
  const work = partitionWork(config, connection.settings.partitions);
  const leases = createPartitionLeases({
    connection,
    owner: parameters.owner,
    partitions: work,
    signal: parameters.signal,
    log: parameters.log,
  });
  const hub = createFactsHub();
  await Promise.all([
    leases.run(),
    ...work.map((entry) =>
      runPartition(
        parameters,
        leases,
        entry,
        work.filter((other) => other.chainId === entry.chainId).map((other) => other.partition),
        hub,
      ),
    ),
  ]);
}

async function runPartition(
  parameters: DetectParameters,
  leases: PartitionLeases,
  work: PartitionWork,
  chainPartitions: readonly number[],
  hub: FactsHub,
): Promise<void> {
  const { connection, signal, log } = parameters;
  const { chainId, partition, owned: contracts, watched } = work;
  const ownedAddresses = new Set(contracts.map((contract) => contract.address.toLowerCase()));
  const batchMax = Math.max(1, parameters.batchMax ?? detectBatchMax);
  const consumer: Consumer = await retrying(
    () =>
      orderedWorkConsumer(connection, {
        stream: blockStream,
        durable: detectConsumer(chainId, partition),
        filterSubject: blockSubject(chainId),
        maxAckPending: batchMax,
      }),
    signal,
  );
  let monitor: Monitor | undefined;
  const facts = createPartitionFacts({ connection, chainId, partition, partitions: chainPartitions, signal, log, hub });
  const profiles = createPartitionProfiles(
    chainId,
    partition,
    contracts.map((contract) => contract.address),
  );
  const memory = createPartitionMemory(
    chainId,
    partition,
    contracts.map((contract) => contract.address),
  );
  /** The stream sequence this process's engine state reflects; another worker moving the partition makes it stale. */
  let appliedSeq: bigint | undefined;
  let failing = false;
  let warnedBehind = false;
  const ref = { chainId, partition };

  /**
   * Judges the batch's block messages in order, saves the partition once, acknowledges them all.
   * 'behind': another worker holds earlier messages; 'stopped': the role stopped midway.
   */
  async function judgeBatch(batch: readonly JsMsg[]): Promise<'judged' | 'behind' | 'stopped'> {
    const position = await getClusterPartition(parameters.store, { chainId, partition });
    // Messages at or below the saved position were judged and saved already (the worker died before acknowledging them).
    const fresh = batch.filter((message) => !position || BigInt(message.seq) > position.streamSeq);
    const judgedBlocks: { block: bigint; transactions: number }[] = [];
    if (fresh.length > 0) {
      if (await earlierUnjudged(connection, consumer, chainId, position?.streamSeq, BigInt(fresh[0]!.seq)))
        return 'behind';
      monitor ??= await monitorFor(parameters, chainId, watched, [...ownedAddresses]);
      const { engine } = monitor.parts;
      if (appliedSeq === undefined || appliedSeq !== position?.streamSeq) {
        await loadState(parameters, monitor, profiles, watched, ownedAddresses, position === undefined);
        await memory.load(parameters.store, engine);
      }
      // Decisions and facts are published in order behind the judging; all acknowledged before the save.
      let publishing: Promise<unknown> = Promise.resolve();
      let previousSeq = position?.streamSeq;
      let last: BlockMessage | undefined;
      for (const message of fresh) {
        const seq = BigInt(message.seq);
        const incoming = decodeMessage<BlockMessage>(message.data);
        // The other partitions' flags up to the previous message, as one process would have them.
        await facts.before(engine, previousSeq, seq);
        if (signal.aborted) return 'stopped';
        if (incoming.kind === 'block')
          for (const contract of memory.hearUnpauses(incoming.block, engine))
            log(`Chain ${chainId} partition ${partition}: ${contract} was unpaused; its composite score starts again.`);
        const { decision, flaggedAccounts } = await judge(monitor, chainId, partition, ownedAddresses, incoming);
        // The facts reach this process's other partitions at once (the hub), so they judge the next message meanwhile.
        const factsPublished = facts.publish({
          seq,
          block: incoming.kind === 'block' ? incoming.block.number : undefined,
          accounts: flaggedAccounts,
        });
        publishing = Promise.all([
          publishing.then(() =>
            retrying(
              () =>
                connection.js.publish(decisionSubject(chainId, partition), encodeMessage(decision), {
                  msgID: decisionMessageId(decision),
                }),
              signal,
            ),
          ),
          factsPublished,
        ]);
        // Awaited before the save; a batch left midway (role stopping, a failure) must not leave it unhandled.
        publishing.catch(() => {});
        parameters.metrics?.published(chainId, 'decisions');
        if (decision.kind === 'decision') parameters.metrics?.decided(chainId, decision.verdicts.length);
        // Pauses respond finished: those contracts' scores start again, as in one process. Heard after
        // the block is judged, not before: a block judged again (its worker died) may be the one
        // whose decision led to the pause, and its signals must go too. Read after a block with
        // verdicts (a pause may follow from it) and after the batch's last; in between a pause
        // respond finished is heard a few blocks later, as if respond had been that much slower.
        const mayPause = decision.kind === 'decision' && decision.verdicts.length > 0;
        if (mayPause || message === fresh.at(-1))
          for (const contract of await memory.hearPauses(parameters.store, engine))
            log(`Chain ${chainId} partition ${partition}: ${contract} was paused; its composite score starts again.`);
        if (incoming.kind === 'block')
          judgedBlocks.push({ block: incoming.block.number, transactions: incoming.block.transactions.length });
        previousSeq = seq;
        last = incoming;
      }
      await publishing;
      const tip = last!.tip;
      const savedSeq = previousSeq!;
      await withTransaction(parameters.store, async (tx) => {
        // Only the profiles the batch taught something, and the partition's block counters.
        await profiles.save(tx, engine);
        await memory.save(tx, engine);
        await setClusterPartition(tx, {
          chainId,
          partition,
          streamSeq: savedSeq,
          blockNumber: tip.number,
          blockHash: tip.hash,
        });
      });
      appliedSeq = savedSeq;
      parameters.onSaved?.({ chainId, partition, messages: fresh.length });
    }
    await Promise.all(batch.map((message) => message.ackAck()));
    for (const message of batch) parameters.metrics?.acked(chainId, 'detect', message.redelivered);
    for (const judged of judgedBlocks) parameters.onJudged?.({ chainId, partition, ...judged });
    return 'judged';
  }

  while (!signal.aborted) {
    if (!leases.holds(ref)) {
      await sleep(100, signal);
      continue;
    }
    let batch: JsMsg[];
    try {
      const first = await consumer.next({ expires: 1_000 });
      batch = first ? [first, ...(await takeWaiting(consumer, first, batchMax - 1))] : [];
    } catch (error) {
      if (!failing)
        warn(parameters, `Chain ${chainId} partition ${partition}: waiting for NATS (${(error as Error).message}).`);
      failing = true;
      await sleep(250, signal);
      continue;
    }
    if (batch.length === 0) {
      await leases.idle(ref);
      continue;
    }
    if (failing) log(`Chain ${chainId} partition ${partition}: NATS is back.`);
    failing = false;
    // Redelivered messages may come after newer ones: judged in stream order.
    batch.sort((a, b) => a.seq - b.seq);
    // Long work (learning, a slow store) keeps the messages ours.
    const keepAlive = setInterval(
      () => {
        for (const message of batch) message.working();
      },
      Math.max(500, connection.settings.ackWaitMs / 3),
    );
    try {
      const outcome = await judgeBatch(batch);
      if (outcome === 'stopped') break;
      if (outcome === 'behind') {
        // A worker that lost the partition (or died) still holds earlier messages: ours go back,
        // to be delivered again after those, and the state is read again then.
        appliedSeq = undefined;
        for (const message of batch) message.nak();
        if (!warnedBehind)
          log(
            `Chain ${chainId} partition ${partition}: another worker still holds earlier blocks; waiting for them (up to the ack wait).`,
          );
        warnedBehind = true;
        await sleep(250, signal);
      } else warnedBehind = false;
    } catch (error) {
      // Not acknowledged: redelivered (to this or another worker) after the ack wait, judged from the saved state.
      appliedSeq = undefined;
      if (!signal.aborted)
        warn(
          parameters,
          `Chain ${chainId} partition ${partition}: judging failed (judged again once redelivered): ${(error as Error).message}`,
        );
    } finally {
      clearInterval(keepAlive);
    }
    await leases.idle(ref);
  }
  await facts.close();
}

/** Waiting block messages a partition takes with the first one, judged before one save: bounded so a batch is saved well within the ack wait. */
export const detectBatchMax = 64;

/** The block messages waiting behind `first` (its delivery says how many), at most `room`; none when nothing waits, so live blocks never wait for a batch to fill. */
async function takeWaiting(consumer: Consumer, first: JsMsg, room: number): Promise<JsMsg[]> {
  const waiting = Math.min(first.info.pending, room);
  const taken: JsMsg[] = [];
  if (waiting <= 0) return taken;
  try {
    for await (const message of await consumer.fetch({ max_messages: waiting, expires: 1_000 })) taken.push(message);
  } catch {
    // What was taken is judged; the rest stays for the next pull.
  }
  return taken;
}

/**
 * Whether a block message of the chain after the saved position and before `firstSeq` is
 * unacknowledged, so not judged: held by another worker (one that lost the partition or died) or
 * waiting to be delivered again; judging `firstSeq` first would break the order.
 */
async function earlierUnjudged(
  connection: ClusterConnection,
  consumer: Consumer,
  chainId: number,
  savedSeq: bigint | undefined,
  firstSeq: bigint,
): Promise<boolean> {
  // `next_by_subj`: the first message of the subject at or after `seq` (nats-server 2.9+).
  const nextFrom = async (from: bigint) => {
    if (from >= firstSeq) return undefined;
    const query = { seq: Number(from), next_by_subj: blockSubject(chainId) } as unknown as { seq: number };
    const next = await connection.jsm.streams.getMessage(blockStream, query);
    return next === null || BigInt(next.seq) >= firstSeq ? undefined : BigInt(next.seq);
  };
  const earlier = await nextFrom(savedSeq === undefined ? 1n : savedSeq + 1n);
  if (earlier === undefined) return false;
  // Acknowledged already (a store that lost its rows, a position never saved): not waiting for anyone.
  const { ack_floor } = await consumer.info();
  return earlier > BigInt(ack_floor.stream_seq) || (await nextFrom(BigInt(ack_floor.stream_seq) + 1n)) !== undefined;
}

/**
 * The partition's engine as the store has it: the saved profiles (another worker may have moved
 * them on; the other partitions' contracts as their partitions saved them), or, for a partition
 * never judged, learned by backfill as the single-process monitor learns before its first block.
 */
async function loadState(
  parameters: DetectParameters,
  monitor: Monitor,
  profiles: PartitionProfiles,
  contracts: readonly Contract[],
  owned: ReadonlySet<string>,
  firstTime: boolean,
): Promise<void> {
  const addresses = contracts.map((contract) => contract.address);
  const stored = await profiles.load(parameters.store, monitor.parts.engine, addresses);
  if (firstTime && stored < owned.size) await monitor.learn({ signal: parameters.signal });
}

async function judge(
  monitor: Monitor,
  chainId: number,
  partition: number,
  owned: ReadonlySet<string>,
  incoming: BlockMessage,
): Promise<{ decision: DecisionMessage; flaggedAccounts: string[] }> {
  if (incoming.kind === 'reorg')
    return {
      decision: {
        kind: 'reorg',
        chainId,
        partition,
        commonAncestor: incoming.commonAncestor,
        from: incoming.from,
        dropped: incoming.dropped,
      },
      flaggedAccounts: [],
    };
  const { engine, decideOptions, simulateCreations } = monitor.parts;
  const { block } = incoming;
  // New contracts that reference a protected one are simulated, as in one process.
  const simulations = await simulateCreations?.(block);
  const judged = engine.process(block, { simulations });
  const result = ownResult(judged, owned);
  const decision = decide(result, decideOptions);
  const message: DecisionMessage = {
    kind: 'decision',
    chainId,
    partition,
    block: { number: block.number, hash: block.hash, parentHash: block.parentHash, timestamp: block.timestamp },
    alerts: decision.alerts.map((alert, index) => ({ ...alert, id: stableId(chainId, block.hash, partition, index) })),
    verdicts: decision.verdicts,
    txHash: decision.txHash,
    competitors: result.flagged.map((flagged) => flagged.tx),
    seenAt: block.seenAt,
  };
  return { decision: message, flaggedAccounts: judged.flaggedAccounts ?? [] };
}
