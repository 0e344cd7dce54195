import type { Engine } from '@bulwark/monitor';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type ClusterConnection, connectCluster, factsStream, factsSubject } from './jetstream.ts';
import { createFactsHub, createPartitionFacts, type FactsMessage, type PartitionFacts } from './partitionFacts.ts';
import { type NatsServer, natsSkipReason, startNatsServer } from './testing.ts';

const skip = natsSkipReason();

/** What a partition's engine was handed: the only part of the engine the facts touch. */
function recordingEngine() {
  const handed: { block: bigint; accounts: readonly string[] }[] = [];
  const engine = {
    noteFlagged: (block: bigint, accounts: readonly string[]) => handed.push({ block, accounts }),
  } as unknown as Engine;
  return { engine, handed };
}

describe.skipIf(skip !== undefined)('partition facts (real nats-server)', () => {
  let server: NatsServer;
  let cluster: ClusterConnection;
  const stop = new AbortController();
  const facts: PartitionFacts[] = [];
  const partitionFacts = (chainId: number, partition: number, partitions: number[]) => {
    const created = createPartitionFacts({
      connection: cluster,
      chainId,
      partition,
      partitions,
      signal: stop.signal,
      log: () => {},
    });
    facts.push(created);
    return created;
  };

  beforeAll(async () => {
    server = await startNatsServer();
    cluster = await connectCluster(
      { natsUrl: server.url, partitions: 2, ackWaitMs: 5_000, leaseMs: 2_000, duplicateWindowMs: 60_000 },
      'test',
    );
  });
  afterAll(async () => {
    stop.abort();
    await Promise.all(facts.map((entry) => entry.close()));
    await cluster?.close();
    await server?.stop();
  });

  test('behavior: a partition judges a message only after the others published their facts for the previous one, and is handed only the flags before it', async () => {
    const [zero, one] = [partitionFacts(1, 0, [0, 1]), partitionFacts(1, 1, [0, 1])];
    const { engine, handed } = recordingEngine();
    // Partition 1 is a message ahead: its flags of message 6 must not reach partition 0 judging message 6.
    await one.publish({ seq: 5n, block: 105n, accounts: ['0xaaaa'] });
    await one.publish({ seq: 6n, block: 106n, accounts: ['0xbbbb'] });
    await zero.before(engine, 5n, 6n);
    expect(handed).toEqual([{ block: 105n, accounts: ['0xaaaa'] }]);
    // Message 8 waits for partition 1's facts of message 7, published after the wait began.
    const waiting = zero.before(engine, 7n, 8n);
    await one.publish({ seq: 7n, block: 107n, accounts: ['0xcccc'] });
    await waiting;
    expect(handed.slice(1)).toEqual([
      { block: 106n, accounts: ['0xbbbb'] },
      { block: 107n, accounts: ['0xcccc'] },
    ]);
  });

  test('behavior: facts of a block judged again are stored once; a partition without others never waits', async () => {
    const lone = partitionFacts(2, 3, [3]);
    await lone.publish({ seq: 9n, block: 90n, accounts: ['0xdddd'] });
    await lone.publish({ seq: 9n, block: 90n, accounts: ['0xdddd'] });
    const info = await cluster.jsm.streams.info(factsStream, { subjects_filter: factsSubject(2, 3) });
    expect(info.state.subjects?.[factsSubject(2, 3)]).toBe(1);
    const { engine } = recordingEngine();
    // A lone partition's first and later messages go straight on.
    await lone.before(engine, undefined, 9n);
    await lone.before(engine, 9n, 10n);
  });
});

test('behavior: a process’s hub hands a partition’s facts to its chain’s other partitions there, until they leave', () => {
  const hub = createFactsHub();
  const heard: string[] = [];
  const leave = hub.join(1, (facts) => heard.push(`chain 1 heard ${facts.partition}:${facts.seq}`));
  hub.join(2, (facts) => heard.push(`chain 2 heard ${facts.partition}:${facts.seq}`));
  const facts = (chainId: number, seq: bigint): FactsMessage => ({
    chainId,
    partition: 0,
    seq,
    block: seq,
    accounts: [],
  });
  hub.tell(facts(1, 4n));
  hub.tell(facts(2, 5n));
  leave();
  hub.tell(facts(1, 6n));
  expect(heard).toEqual(['chain 1 heard 0:4', 'chain 2 heard 0:5']);
});

test.skipIf(skip === undefined)(`partition facts skipped: ${skip}`, () => {});
