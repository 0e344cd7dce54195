import { block, frame, tx } from '@bulwark/monitor/rules/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decodeMessage, encodeMessage } from './codec.ts';
import { BlockTooLargeError, publishBlock } from './ingest.ts';
import {
  blockStream,
  blockSubject,
  ClusterConnectError,
  type ClusterConnection,
  connectCluster,
  ingestLeaseKey,
} from './jetstream.ts';
import { freePort, type NatsServer, natsSkipReason, startNatsServer } from './testing.ts';

const address = '0x000000000000000000000000000000000000b0b0' as const;

const skip = natsSkipReason();

describe.skipIf(skip !== undefined)('JetStream layer (real nats-server)', () => {
  let server: NatsServer;
  let cluster: ClusterConnection;
  const settings = (url: string) => ({
    natsUrl: url,
    partitions: 2,
    ackWaitMs: 5_000,
    leaseMs: 2_000,
    duplicateWindowMs: 60_000,
  });

  beforeAll(async () => {
    server = await startNatsServer();
    cluster = await connectCluster(settings(server.url), 'test');
  });
  afterAll(async () => {
    await cluster?.close();
    await server?.stop();
  });

  test('behavior: a block published twice with its hash as the message id is stored once', async () => {
    const first = await cluster.js.publish(blockSubject(1), encodeMessage({ number: 7n }), { msgID: '1:0xaa' });
    const second = await cluster.js.publish(blockSubject(1), encodeMessage({ number: 7n }), { msgID: '1:0xaa' });
    expect(first.duplicate).toBe(false);
    expect(second.duplicate).toBe(true);
    expect(second.seq).toBe(first.seq);
    const stored = await cluster.jsm.streams.getMessage(blockStream, { last_by_subj: blockSubject(1) });
    expect(decodeMessage<{ number: bigint }>(stored!.data)).toEqual({ number: 7n });
  });

  test('behavior: a lease is held by one owner at a time, and lapses when not renewed', async () => {
    const key = ingestLeaseKey(1);
    const revision = await cluster.leases.create(key, 'a');
    await expect(cluster.leases.create(key, 'b')).rejects.toThrow();
    // Renewing needs the holder's revision.
    await expect(cluster.leases.update(key, 'b', revision + 100)).rejects.toThrow();
    await cluster.leases.update(key, 'a', revision);
    // Not renewed: the server removes it after the bucket's TTL and another owner can take it.
    let taken = false;
    for (let attempt = 0; attempt < 100 && !taken; attempt++) {
      taken = await cluster.leases.create(key, 'b').then(
        () => true,
        () => false,
      );
      if (!taken) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(taken).toBe(true);
    expect((await cluster.leases.get(key))?.string()).toBe('b');
  });

  test('behavior: streams survive a killed and restarted server; the client reconnects', async () => {
    const before = await cluster.js.publish(blockSubject(2), encodeMessage({ n: 1 }), { msgID: '2:0x01' });
    await server.kill();
    await server.start();
    // The client reconnects on its own; the stream and its de-duplication window are still there.
    let again: { duplicate: boolean; seq: number } | undefined;
    for (let attempt = 0; attempt < 100 && !again; attempt++) {
      again = await cluster.js
        .publish(blockSubject(2), encodeMessage({ n: 1 }), { msgID: '2:0x01' })
        .catch(() => undefined);
      if (!again) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(again).toMatchObject({ duplicate: true, seq: before.seq });
  });

  test("error: a block larger than the server's max_payload is refused with the limit and the fix, and nothing is published", async () => {
    // Twenty transactions with 64 KB of calldata each: about 2.6 MB encoded, past the default 1 MB.
    const input = `0x${'ab'.repeat(64 * 1024)}` as const;
    const transactions = Array.from({ length: 20 }, () =>
      tx(address, frame(address, address, { input, calls: [frame(address, address, { input })] })),
    );
    const big = block(50, 1_700_000_600, transactions);
    const message = { kind: 'block' as const, block: big, tip: { number: big.number, hash: big.hash } };
    const limit = cluster.nc.info!.max_payload;
    expect(encodeMessage(message).length).toBeGreaterThan(limit);
    const error = await publishBlock(cluster, 3, message, new AbortController().signal).catch(
      (failure: Error) => failure,
    );
    expect(error).toBeInstanceOf(BlockTooLargeError);
    expect((error as Error).message).toContain(`block 50 is ${encodeMessage(message).length} bytes`);
    expect((error as Error).message).toContain(
      `max_payload of ${limit} bytes: raise max_payload in the nats-server config`,
    );
    expect(
      await cluster.jsm.streams.getMessage(blockStream, { last_by_subj: blockSubject(3) }).catch(() => null),
    ).toBeNull();
    // A block that fits goes through.
    const small = block(51, 1_700_000_612, [tx(address, frame(address, address))]);
    await publishBlock(
      cluster,
      3,
      { kind: 'block', block: small, tip: { number: small.number, hash: small.hash } },
      new AbortController().signal,
    );
    const stored = await cluster.jsm.streams.getMessage(blockStream, { last_by_subj: blockSubject(3) });
    expect(decodeMessage<{ block: { number: bigint } }>(stored!.data).block.number).toBe(51n);
  });
});

test('error: no server at the URL: a clear error naming the host, never the credentials', async () => {
  const port = await freePort();
  const natsUrl = `nats://bulwark:s3cret-pass@127.0.0.1:${port}`;
  const error = await connectCluster(
    { natsUrl, partitions: 1, ackWaitMs: 1_000, leaseMs: 1_000, duplicateWindowMs: 1_000 },
    'test',
  ).catch((failure: Error) => failure);
  expect(error).toBeInstanceOf(ClusterConnectError);
  expect((error as Error).message).toMatch(
    new RegExp(`^Cannot reach NATS at 127\\.0\\.0\\.1:${port} \\(.*\\): start nats-server with JetStream`),
  );
  expect((error as Error).message).not.toContain('s3cret-pass');
});

test.skipIf(skip === undefined)(`skipped: ${skip}`, () => {});
