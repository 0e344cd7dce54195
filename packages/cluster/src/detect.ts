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
 * has one durable consumer of the chain's blocks with one message in flight at a time, shared by
 * every detect process: a contract's blocks are judged in order, by one worker at a time. The
 * partition's baselines, composite signals (`partitionState.ts`) and its place in the stream are
 * saved in PostgreSQL in one transaction
 * after its decision is published, then the block is acknowledged. A worker that dies mid-block
 * leaves it unacknowledged: after `ackWaitMs` another worker gets it, loads the baselines as they
 * stood and judges it again (the same decision id and alert ids: nothing doubles downstream).
 */

export type DetectParameters = RoleBase & {
  connection: ClusterConnection;
  /** This process, as the partition leases name it. */
  owner: string;
  signal: AbortSignal;
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
  const consumer: Consumer = await retrying(
    () =>
      orderedWorkConsumer(connection, {
        stream: blockStream,
        durable: detectConsumer(chainId, partition),
        filterSubject: blockSubject(chainId),
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
  const ref = { chainId, partition };
  while (!signal.aborted) {
    if (!leases.holds(ref)) {
      await sleep(100, signal);
      continue;
    }
    let message: JsMsg | null;
    try {
      message = await consumer.next({ expires: 1_000 });
    } catch (error) {
      if (!failing)
        warn(parameters, `Chain ${chainId} partition ${partition}: waiting for NATS (${(error as Error).message}).`);
      failing = true;
      await sleep(250, signal);
      continue;
    }
    if (!message) {
      await leases.idle(ref);
      continue;
    }
    if (failing) log(`Chain ${chainId} partition ${partition}: NATS is back.`);
    failing = false;
    // Long work (learning, a slow store) keeps the message ours.
    const keepAlive = setInterval(() => message.working(), Math.max(500, connection.settings.ackWaitMs / 3));
    try {
      const seq = BigInt(message.seq);
      const position = await getClusterPartition(parameters.store, { chainId, partition });
      if (position && position.streamSeq >= seq) {
        // Judged and saved already (the worker died before acknowledging it).
        await message.ackAck();
        continue;
      }
      monitor ??= await monitorFor(parameters, chainId, watched, [...ownedAddresses]);
      if (appliedSeq === undefined || appliedSeq !== position?.streamSeq) {
        await loadState(parameters, monitor, profiles, watched, ownedAddresses, position === undefined);
        await memory.load(parameters.store, monitor.parts.engine);
      }
      const incoming = decodeMessage<BlockMessage>(message.data);
      // The other partitions' flags up to the previous message, as one process would have them.
      await facts.before(monitor.parts.engine, position?.streamSeq, seq);
      if (signal.aborted) break;
      if (incoming.kind === 'block')
        for (const contract of memory.hearUnpauses(incoming.block, monitor.parts.engine))
          log(`Chain ${chainId} partition ${partition}: ${contract} was unpaused; its composite score starts again.`);
      const { decision, flaggedAccounts } = await judge(monitor, chainId, partition, ownedAddresses, incoming);
      // The decision for respond and the facts for the other partitions, both before the block is saved.
      await Promise.all([
        retrying(
          () =>
            connection.js.publish(decisionSubject(chainId, partition), encodeMessage(decision), {
              msgID: decisionMessageId(decision),
            }),
          signal,
        ),
        facts.publish({
          seq,
          block: incoming.kind === 'block' ? incoming.block.number : undefined,
          accounts: flaggedAccounts,
        }),
      ]);
      parameters.metrics?.published(chainId, 'decisions');
      if (decision.kind === 'decision') parameters.metrics?.decided(chainId, decision.verdicts.length);
      const { engine } = monitor.parts;
      // Pauses respond finished: those contracts' scores start again, as in one process. Heard after
      // the block is judged, not before: a block judged again (its worker died) may be the one
      // whose decision led to the pause, and its signals must go too.
      for (const contract of await memory.hearPauses(parameters.store, engine))
        log(`Chain ${chainId} partition ${partition}: ${contract} was paused; its composite score starts again.`);
      await withTransaction(parameters.store, async (tx) => {
        // Only the profiles this block taught something, and the partition's block counters.
        await profiles.save(tx, engine);
        await memory.save(tx, engine);
        await setClusterPartition(tx, {
          chainId,
          partition,
          streamSeq: seq,
          blockNumber: incoming.tip.number,
          blockHash: incoming.tip.hash,
        });
      });
      appliedSeq = seq;
      await message.ackAck();
      parameters.metrics?.acked(chainId, 'detect', message.redelivered);
      if (incoming.kind === 'block')
        parameters.onJudged?.({
          chainId,
          partition,
          block: incoming.block.number,
          transactions: incoming.block.transactions.length,
        });
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
