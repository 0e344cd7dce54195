import type { Engine } from '@bulwark/monitor';
import { decodeMessage, encodeMessage } from './codec.ts';
import { type ClusterConnection, factsStream, factsSubject, factsSubjects } from './jetstream.ts';
import { retrying, sleep } from './retry.ts';

/*
 * What crosses partitions. A partition's engine watches the whole chain but runs the rules only on
 * the transactions in which its own contracts appear (`EngineOptions.judged`); the windows,
 * balances, prices and baselines of the other contracts it keeps itself (cheap bookkeeping, the
 * same in every partition), so rules reading across contracts (a lender's `oracle-jump` from its
 * pool's price) see what one process sees. What it cannot know is what the other partitions'
 * rules flagged on transactions it skipped: learning holds back transactions linked to flagged
 * accounts. So after each block message, every partition publishes the accounts its flagged
 * transactions taint (its "facts", message id: chain, stream sequence and partition, so a block
 * judged again publishes nothing new), and before judging the next one it waits until every other
 * partition of the chain published its facts for the previous one and hands them to its engine.
 * The partitions of a chain thus move in step, one message apart at most, each doing its share.
 */

export type FactsMessage = {
  chainId: number;
  partition: number;
  /** The block stream sequence of the message judged. */
  seq: bigint;
  /** The block judged (none for a reorg message). */
  block: bigint | undefined;
  /** Accounts the partition's flagged transactions taint (`BlockResult.flaggedAccounts`). */
  accounts: string[];
};

export const factsMessageId = (facts: Pick<FactsMessage, 'chainId' | 'seq' | 'partition'>) =>
  `${facts.chainId}:${facts.seq}:${facts.partition}`;

/**
 * The partitions of one detect process: facts a partition publishes reach the others of its chain
 * in the same process at once, without waiting for the stream to deliver them (it still does:
 * hearing twice changes nothing).
 */
export type FactsHub = {
  join(chainId: number, hear: (facts: FactsMessage) => void): () => void;
  tell(facts: FactsMessage): void;
};

export function createFactsHub(): FactsHub {
  const listeners = new Map<number, Set<(facts: FactsMessage) => void>>();
  return {
    join(chainId, hear) {
      const chain = listeners.get(chainId) ?? new Set();
      listeners.set(chainId, chain);
      chain.add(hear);
      return () => chain.delete(hear);
    },
    tell(facts) {
      for (const hear of listeners.get(facts.chainId) ?? []) hear(facts);
    },
  };
}

export type PartitionFacts = {
  /** Publishes the partition's facts for the block stream message `seq` (call before acknowledging it). */
  publish(facts: Omit<FactsMessage, 'chainId' | 'partition'>): Promise<void>;
  /**
   * Waits until every other partition published its facts for `previousSeq` (the message judged
   * before `seq`; none: the partition's first), then hands the engine every flag of the messages
   * before `seq`. Resolves early only when `signal` aborts.
   */
  before(engine: Engine, previousSeq: bigint | undefined, seq: bigint): Promise<void>;
  close(): Promise<void>;
};

export function createPartitionFacts(parameters: {
  connection: ClusterConnection;
  chainId: number;
  partition: number;
  /** Every partition of the chain (this one included). */
  partitions: readonly number[];
  signal: AbortSignal;
  log: (line: string) => void;
  /** This process's other partitions (see `FactsHub`). */
  hub?: FactsHub | undefined;
}): PartitionFacts {
  const { connection, chainId, partition, log } = parameters;
  // Stops with the role or on `close`.
  const stopper = new AbortController();
  const signal = AbortSignal.any([parameters.signal, stopper.signal]);
  const others = parameters.partitions.filter((other) => other !== partition);
  /** The last stream sequence each partition published facts for. */
  const reached = new Map<number, bigint>();
  /** Flags heard and not yet handed to the engine. */
  let heard: FactsMessage[] = [];
  let wake: (() => void) | undefined;
  signal.addEventListener('abort', () => wake?.(), { once: true });

  const reading = (async () => {
    while (!signal.aborted) {
      try {
        // An ordered consumer from the stream's start: what the stream keeps of every partition's facts.
        const consumer = await connection.js.consumers.get(factsStream, { filter_subjects: factsSubjects(chainId) });
        const messages = await consumer.consume();
        const aborted = () => messages.stop();
        signal.addEventListener('abort', aborted, { once: true });
        try {
          for await (const message of messages) {
            hear(decodeMessage<FactsMessage>(message.data));
          }
        } finally {
          signal.removeEventListener('abort', aborted);
        }
      } catch (error) {
        if (!signal.aborted)
          log(
            `Chain ${chainId} partition ${partition}: reading the other partitions' facts (${(error as Error).message}).`,
          );
      }
      await sleep(250, signal);
    }
  })();

  function hear(facts: FactsMessage): void {
    if (facts.accounts.length > 0) heard.push(facts);
    if ((reached.get(facts.partition) ?? -1n) < facts.seq) reached.set(facts.partition, facts.seq);
    wake?.();
  }

  const leave = parameters.hub?.join(chainId, hear);

  const behind = (previousSeq: bigint) => others.filter((other) => (reached.get(other) ?? -1n) < previousSeq);

  return {
    async publish(facts) {
      const message: FactsMessage = { chainId, partition, ...facts };
      // Told before the stream has them: this process's partitions go on at once (they die with
      // this one, and a block judged again publishes the same facts).
      parameters.hub?.tell(message);
      await retrying(
        () =>
          connection.js.publish(factsSubject(chainId, partition), encodeMessage(message), {
            msgID: factsMessageId(message),
          }),
        signal,
      );
    },
    async before(engine, previousSeq, seq) {
      if (previousSeq !== undefined) {
        let warned = false;
        const started = Date.now();
        while (!signal.aborted && behind(previousSeq).length > 0) {
          if (!warned && Date.now() - started > 10_000) {
            warned = true;
            log(
              `Chain ${chainId} partition ${partition}: waiting for partition(s) ${behind(previousSeq).join(', ')} to judge stream message ${previousSeq} (a worker down: its lease lapses and another takes it).`,
            );
          }
          // Woken by facts heard or the role stopping; checked again each second for the log line.
          await new Promise<void>((resolve) => {
            const timer = setTimeout(done, 1_000);
            function done() {
              clearTimeout(timer);
              wake = undefined;
              resolve();
            }
            wake = done;
          });
        }
      }
      // Only the messages before `seq`: a partition ahead must not hand over flags the single process has not raised yet.
      const now = heard.filter((facts) => facts.seq < seq);
      heard = heard.filter((facts) => facts.seq >= seq);
      for (const facts of now) if (facts.block !== undefined) engine.noteFlagged(facts.block, facts.accounts);
    },
    async close() {
      leave?.();
      stopper.abort();
      await Promise.race([reading, sleep(1_000)]);
    },
  };
}
