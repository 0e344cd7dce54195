import { type IncomingMessage, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  getActiveWalletPolicy,
  insertAlert,
  insertWalletRequest,
  openIncident,
  recordWalletRequestPreview,
  retractAlert,
  type StoreClient,
  withTransaction,
} from '@bulwark/store';
import { describeStore } from '@bulwark/store/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createServer } from '../createServer.ts';
import { EventHub } from '../live/eventHub.ts';
import { openEventClient } from '../live/testing.ts';
import { installPolicy } from '../testing.ts';
import { createApiToken } from '../tokens.ts';

const vault = '0x00000000000000000000000000000000000000aa';
let alerts = 0;
const raise = (store: StoreClient) =>
  insertAlert(store, {
    ruleId: 'outflow-spike',
    severity: 'critical',
    chainId: 31337,
    address: vault,
    dedupeKey: `events-test-${++alerts}`,
    payload: { title: `alert ${alerts}` },
  }).then(({ alert }) => alert);

describeStore('GET /api/v1/events', (ctx) => {
  let server: FastifyInstance;
  let url: string;
  let token: string;
  const start = async () => {
    const started = await createServer({ store: ctx.store, events: { heartbeatMs: 100, feed: { intervalMs: 25 } } });
    await started.listen({ host: '127.0.0.1', port: 0 });
    return {
      server: started,
      url: `http://127.0.0.1:${(started.server.address() as AddressInfo).port}/api/v1/events`,
    };
  };

  beforeAll(async () => {
    token = (await createApiToken(ctx.store, { name: 'vera', role: 'viewer', actor: 'test' })).token;
    ({ server, url } = await start());
  });
  afterAll(async () => {
    await server?.close();
  });

  test('error: 401 without a token or with an unknown one, 400 with a query, before any stream', async () => {
    for (const headers of [{}, { authorization: 'Bearer nope' }, { authorization: 'Basic x' }] as Record<
      string,
      string
    >[]) {
      const response = await fetch(url, { headers });
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toContain('application/json');
      expect(await response.json()).toMatchObject({ error: { code: 'unauthorized' } });
    }
    const withQuery = await fetch(`${url}?since=1`, { headers: { authorization: `Bearer ${token}` } });
    expect(withQuery.status).toBe(400);
    expect(await withQuery.json()).toMatchObject({ error: { code: 'invalid-request' } });
  });

  test('default: a client sees an alert, its retraction and an incident recorded after it connected', async () => {
    const client = await openEventClient(url, { token });
    expect(client.status).toBe(200);
    await client.waitForComment('connected');
    const alert = await raise(ctx.store);
    const seen = await client.waitFor((event) => event.type === 'alert' && event.data.id === alert.id);
    expect(seen.data).toMatchObject({
      ruleId: 'outflow-spike',
      address: vault,
      payload: { title: alert.payload.title },
    });
    await retractAlert(ctx.store, { id: alert.id, reason: 'reorg' });
    const retracted = await client.waitFor((event) => event.type === 'alert-retracted' && event.data.id === alert.id);
    expect(retracted.data).toMatchObject({ status: 'retracted', retractReason: 'reorg' });
    const incident = await openIncident(ctx.store, {
      title: 'Vault drain',
      severity: 'critical',
      chainId: 31337,
      address: vault,
      actor: 'monitor',
      alertIds: [alert.id],
    });
    // The incident names its alerts, so a dashboard links the alert row without reading /alerts.
    const opened = await client.waitFor((event) => event.type === 'incident' && event.data.id === incident.id);
    expect(opened.data).toMatchObject({ state: 'detected', alertIds: [alert.id] });
    // Monotonic ids, each change once.
    const ids = client.events.map((event) => event.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    expect(client.events.filter((event) => event.data.id === alert.id).map((event) => event.type)).toEqual([
      'alert',
      'alert-retracted',
    ]);
    await client.waitForComment('heartbeat');
    client.close();
  });

  test('behavior: a wallet request event carries the preview recorded with it, as GET /wallet/requests gives it', async () => {
    await installPolicy(ctx.store);
    const policy = await getActiveWalletPolicy(ctx.store, new Date());
    const client = await openEventClient(url, { token });
    await client.waitForComment('connected');
    const id = `W-events-${Date.now()}`;
    const preview = { status: 'success', assetChanges: [], flags: [] };
    await withTransaction(ctx.store, async (tx) => {
      await insertWalletRequest(tx, {
        id,
        digest: '0x01',
        request: { kind: 'withdrawal' },
        initiator: 'alice',
        source: 'hot',
        chainId: 1,
        state: 'pending',
        decision: { outcome: 'approval-required' },
        policyId: policy!.id,
        createdAt: new Date(),
        expiresAt: new Date(Date.now() + 3_600_000),
      });
      await recordWalletRequestPreview(tx, { requestId: id, preview, actor: 'api' });
    });
    const seen = await client.waitFor((event) => event.type === 'wallet-request' && event.data.id === id);
    expect(seen.data).toMatchObject({ state: 'pending', initiator: 'alice', preview });
    client.close();
  });

  test('behavior: a client resumes after a disconnect without loss or duplicates (Last-Event-ID)', async () => {
    const observer = await openEventClient(url, { token });
    const first = await openEventClient(url, { token });
    const a = await raise(ctx.store);
    const seenA = await first.waitFor((event) => event.data.id === a.id);
    first.close();
    const b = await raise(ctx.store);
    const c = await raise(ctx.store);
    // Published while the client was away: the observer has them.
    await observer.waitFor((event) => event.data.id === c.id);
    await observer.waitFor((event) => event.data.id === b.id);

    const resumed = await openEventClient(url, { token, lastEventId: seenA.id });
    await resumed.waitFor((event) => event.data.id === c.id);
    const d = await raise(ctx.store);
    await resumed.waitFor((event) => event.data.id === d.id);
    expect(resumed.events.map((event) => event.data.id)).toEqual([b.id, c.id, d.id]);
    resumed.close();
    observer.close();
  });

  test('behavior: after a restart, a client resumes from the store what happened while it was away', async () => {
    const client = await openEventClient(url, { token });
    const before = await raise(ctx.store);
    const last = await client.waitFor((event) => event.data.id === before.id);
    client.close();
    await server.close();
    const during = await raise(ctx.store);
    ({ server, url } = await start());
    const resumed = await openEventClient(url, { token, lastEventId: last.id });
    await resumed.waitFor((event) => event.data.id === during.id);
    const after = await raise(ctx.store);
    await resumed.waitFor((event) => event.data.id === after.id);
    expect(resumed.events.map((event) => event.data.id)).toEqual([during.id, after.id]);
    const ids = resumed.events.map((event) => event.id);
    expect(ids[0]).toBeGreaterThan(last.id);
    expect(ids[1]).toBeGreaterThan(ids[0]!);
    resumed.close();
  });

  test('behavior: closing the server ends the open streams, so a stop never waits for a client left connected', async () => {
    const own = await start();
    const client = await openEventClient(own.url, { token });
    await client.waitForComment('connected');
    await own.server.close();
    await client.ended;
    await expect(client.waitForComment('never sent')).rejects.toThrow('The stream ended');
  });
});

describeStore('GET /api/v1/events: limits', (ctx) => {
  test('behavior: a client that does not read is dropped once its unread bytes pass the bound; nothing is kept for it', async () => {
    const hub = new EventHub();
    const server = await createServer({ store: ctx.store, hub, events: { maxBufferedBytes: 64 * 1024 } });
    await server.listen({ host: '127.0.0.1', port: 0 });
    const { port } = server.server.address() as AddressInfo;
    const token = (await createApiToken(ctx.store, { name: 'slow', role: 'viewer', actor: 'test' })).token;
    try {
      const response = await new Promise<IncomingMessage>((resolve, reject) =>
        request(
          { host: '127.0.0.1', port, path: '/api/v1/events', headers: { authorization: `Bearer ${token}` } },
          resolve,
        )
          .on('error', reject)
          .end(),
      );
      expect(response.statusCode).toBe(200);
      // Never read: the socket's buffers fill, then the server's.
      response.pause();
      const closed = new Promise<void>((resolve) => response.socket.once('close', () => resolve()));
      let dropped = false;
      void closed.then(() => {
        dropped = true;
      });
      expect(hub.subscribers).toBe(1);
      const big = { text: 'x'.repeat(16 * 1024) };
      // Far more than the kernel's socket buffers hold: 64 MiB at most, stopping once dropped.
      for (let i = 0; i < 4096 && hub.subscribers > 0; i++) {
        hub.publish('monitor-health', big);
        if (i % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      expect(hub.subscribers).toBe(0);
      await closed;
      expect(dropped).toBe(true);
    } finally {
      await server.close();
    }
  });
});

describeStore('GET /api/v1/events: a replay cut off', (ctx) => {
  test('behavior: a client resuming after more changes than the replay reads gets them up to the limit, then a resync', async () => {
    const token = (await createApiToken(ctx.store, { name: 'vera', role: 'viewer', actor: 'test' })).token;
    const start = async () => {
      const server = await createServer({ store: ctx.store, events: { replayLimit: 3, feed: { intervalMs: 25 } } });
      await server.listen({ host: '127.0.0.1', port: 0 });
      return { server, url: `http://127.0.0.1:${(server.server.address() as AddressInfo).port}/api/v1/events` };
    };
    let { server, url } = await start();
    try {
      const client = await openEventClient(url, { token });
      const before = await raise(ctx.store);
      const last = await client.waitFor((event) => event.data.id === before.id);
      client.close();
      await server.close();
      // Away across a restart (the new server's ring is empty): two changes fit the replay, five do not.
      const fits = [await raise(ctx.store), await raise(ctx.store)];
      ({ server, url } = await start());
      const whole = await openEventClient(url, { token, lastEventId: last.id });
      await whole.waitFor((event) => event.data.id === fits[1]!.id);
      const marker = await raise(ctx.store);
      await whole.waitFor((event) => event.data.id === marker.id);
      expect(whole.events.map((event) => event.type)).toEqual(['alert', 'alert', 'alert']);
      whole.close();
      await server.close();

      const missed = [];
      for (let i = 0; i < 5; i++) missed.push(await raise(ctx.store));
      ({ server, url } = await start());
      const resumed = await openEventClient(url, { token, lastEventId: last.id });
      const resync = await resumed.waitFor((event) => event.type === 'resync');
      expect(resync.data).toEqual({ reason: 'replay-limit', replayed: 3 });
      // The oldest changes up to the limit came first; the resync tells the client to read its lists again.
      expect(resumed.events.map((event) => event.data.id)).toEqual([fits[0]!.id, fits[1]!.id, marker.id, undefined]);
      expect(resumed.events.at(-1)?.type).toBe('resync');
      // The stream goes on live after it.
      const after = await raise(ctx.store);
      await resumed.waitFor((event) => event.data.id === after.id);
      resumed.close();
      expect(missed).toHaveLength(5);
    } finally {
      await server.close();
    }
  });
});
