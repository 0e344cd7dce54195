import { countStoreFacts, insertAlert, listLog, listWalletRequests, openIncident } from '@bulwark/store';
import { describeStore } from '@bulwark/store/testing';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createServer } from './createServer.ts';
import { apiRoutes } from './routes.ts';
import { apiCaller, createPeopleTokens, exchange, installPolicy, withdrawal } from './testing.ts';
import { createApiToken } from './tokens.ts';

describeStore('bulwark serve API', (ctx) => {
  let server: FastifyInstance;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    Object.assign(tokens, await createPeopleTokens(ctx.store));
    await installPolicy(ctx.store);
    server = await createServer({ store: ctx.store, bodyLimit: 4096 });
    await server.listen({ host: '127.0.0.1', port: 0 });
    call = apiCaller(server, tokens);
  });
  afterAll(async () => {
    await server?.close();
  });

  let call: ReturnType<typeof apiCaller>;
  const storedRequests = async () => (await listWalletRequests(ctx.store)).length;
  const logLength = async () => (await listLog(ctx.store)).length;

  test('default: /healthz answers 200 and /openapi.json (3.1) lists every route with its schemas', async () => {
    expect(await call('GET', '/healthz')).toMatchObject({ status: 200, json: { status: 'ok' } });
    const { status, json } = await call('GET', '/openapi.json');
    expect(status).toBe(200);
    expect(json.openapi).toBe('3.1.0');
    for (const route of apiRoutes) {
      const operation = json.paths[route.url.replace(/:(\w+)/g, '{$1}')][route.method.toLowerCase()];
      expect(operation.operationId).toBe(route.operationId);
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['400', '401', '403']));
    }
    expect(Object.keys(json.paths)).toEqual(expect.arrayContaining(['/healthz', '/metrics', '/openapi.json']));
    const submit = json.paths['/api/v1/wallet/requests'].post;
    expect(submit.requestBody.content['application/json'].schema.required).not.toContain('initiator');
  });

  test('error: 401 without a token, with an unknown token and with a malformed header, on every API route', async () => {
    for (const route of apiRoutes) {
      const path = route.url.replace(':id', 'x');
      expect((await call(route.method, path)).json).toEqual({
        error: { code: 'unauthorized', message: expect.stringContaining('Bearer') },
      });
      const unknown = await call(route.method, path, { headers: { authorization: 'Bearer bwk_not-a-real-token' } });
      expect(unknown.status).toBe(401);
      expect((await call(route.method, path, { headers: { authorization: `Basic ${tokens.root}` } })).status).toBe(401);
    }
  });

  test('behavior: a token of role viewer reads every list; 400 on bad query parameters; 404 on an unknown incident', async () => {
    for (const path of ['/api/v1/alerts', '/api/v1/incidents', '/api/v1/wallet/requests', '/api/v1/risks'])
      expect(await call('GET', path, { as: 'vera' })).toMatchObject({ status: 200, json: expect.any(Array) });
    for (const path of ['/api/v1/alerts?limit=0', '/api/v1/incidents?state=nope', '/api/v1/alerts?colour=red'])
      expect(await call('GET', path, { as: 'vera' })).toMatchObject({
        status: 400,
        json: { error: { code: 'invalid-request' } },
      });
    expect(await call('GET', '/api/v1/incidents/INC-404', { as: 'vera' })).toMatchObject({
      status: 404,
      json: { error: { code: 'not-found' } },
    });
    expect((await call('GET', '/api/v1/nothing', { as: 'vera' })).json.error.code).toBe('not-found');
  });

  test('behavior: incidents and alerts in the store are served, with the timeline and bigints as strings', async () => {
    const incident = await openIncident(ctx.store, { title: 'Vault drained', severity: 'critical', actor: 'monitor' });
    await insertAlert(ctx.store, {
      ruleId: 'large-outflow',
      severity: 'high',
      chainId: 1,
      address: exchange,
      blockNumber: 12_345_678_901n,
      dedupeKey: 'k1',
      payload: { amount: '5' },
    });
    const one = await call('GET', `/api/v1/incidents/${incident.id}`, { as: 'vera' });
    expect(one).toMatchObject({ status: 200, json: { incident: { id: incident.id, state: 'detected' } } });
    expect(one.json.timeline.length).toBeGreaterThan(0);
    const alerts = await call('GET', '/api/v1/alerts?limit=5', { as: 'vera' });
    expect(alerts.json[0]).toMatchObject({
      ruleId: 'large-outflow',
      blockNumber: '12345678901',
      payload: { amount: '5' },
    });
  });

  test('error: a role below the route is refused with 403 before the body is read; nothing is stored', async () => {
    const before = [await storedRequests(), await logLength()];
    expect(await call('POST', '/api/v1/wallet/requests', { as: 'vera', body: withdrawal('500') })).toMatchObject({
      status: 403,
      json: { error: { code: 'forbidden' } },
    });
    // A body too large or not JSON makes no difference: the role is checked first.
    expect((await call('POST', '/api/v1/wallet/requests', { as: 'vera', raw: 'x'.repeat(10_000) })).status).toBe(403);
    expect(
      (await call('POST', '/api/v1/wallet/requests/x/approve', { as: 'olga', body: { digest: `0x${'0'.repeat(64)}` } }))
        .status,
    ).toBe(403);
    expect([await storedRequests(), await logLength()]).toEqual(before);
  });

  test('error: malformed, oversized, mistyped and identity-bearing bodies are 4xx and never reach the store', async () => {
    const before = [await storedRequests(), await logLength()];
    const post = (options: Parameters<typeof call>[2]) =>
      call('POST', '/api/v1/wallet/requests', { as: 'olga', ...options });
    expect((await post({ raw: '{"kind": ' })).json.error.code).toBe('invalid-json');
    expect((await post({ raw: '' })).status).toBe(400);
    expect(await post({ raw: JSON.stringify(withdrawal('1', { reference: 'r'.repeat(8000) })) })).toMatchObject({
      status: 413,
      json: { error: { code: 'payload-too-large' } },
    });
    expect((await post({ raw: 'kind=withdrawal', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    expect((await post({ body: withdrawal('500', { initiator: 'carol' }) })).json.error.code).toBe('invalid-request');
    expect((await post({ body: withdrawal('-5') })).status).toBe(400);
    expect((await post({ body: [withdrawal('5')] })).status).toBe(400);
    expect((await post({ body: { ...withdrawal('5'), chain: 1e300 } })).status).toBe(400);
    expect([await storedRequests(), await logLength()]).toEqual(before);
  });

  test("behavior: a request's initiator is the token's name; self-approval is refused (422); another approver's vote approves", async () => {
    const submitted = await call('POST', '/api/v1/wallet/requests', { as: 'alice', body: withdrawal('500') });
    expect(submitted).toMatchObject({ status: 201, json: { state: 'pending', decision: { rule: 'large' } } });
    const { id, digest } = submitted.json;
    const [stored] = await listWalletRequests(ctx.store, { initiator: 'alice' });
    expect(stored).toMatchObject({ id, initiator: 'alice' });

    const self = await call('POST', `/api/v1/wallet/requests/${id}/approve`, { as: 'alice', body: { digest } });
    expect(self).toMatchObject({ status: 422, json: { error: { code: 'self-approval' } } });
    const wrongDigest = await call('POST', `/api/v1/wallet/requests/${id}/approve`, {
      as: 'carol',
      body: { digest: `0x${'ab'.repeat(32)}` },
    });
    expect(wrongDigest).toMatchObject({ status: 422, json: { error: { code: 'digest-mismatch' } } });
    // An identity in the body is refused, not believed.
    const spoof = await call('POST', `/api/v1/wallet/requests/${id}/approve`, {
      as: 'alice',
      body: { digest, approver: 'carol' },
    });
    expect(spoof.status).toBe(400);

    const approved = await call('POST', `/api/v1/wallet/requests/${id}/approve`, { as: 'carol', body: { digest } });
    expect(approved).toMatchObject({ status: 200, json: { id, state: 'approved', quorumMet: true, missing: '' } });
    expect(
      (await call('POST', `/api/v1/wallet/requests/${id}/approve`, { as: 'carol', body: { digest } })).status,
    ).toBe(409);
    expect(
      (await call('POST', '/api/v1/wallet/requests/no-such-request/approve', { as: 'carol', body: { digest } })).status,
    ).toBe(404);

    const actions = (await listLog(ctx.store)).map((e) => [e.actor, e.action]);
    expect(actions).toEqual(
      expect.arrayContaining([
        ['alice', 'wallet.request'],
        ['alice', 'wallet.approve.refused'],
        ['carol', 'wallet.approve'],
      ]),
    );
  });

  test('behavior: an admin creates tokens (logged with the admin as actor); the new token works with its role only', async () => {
    expect((await call('POST', '/api/v1/tokens', { as: 'carol', body: { name: 'dave', role: 'admin' } })).status).toBe(
      403,
    );
    const created = await call('POST', '/api/v1/tokens', { as: 'root', body: { name: 'dave', role: 'approver' } });
    expect(created).toMatchObject({
      status: 201,
      json: { name: 'dave', role: 'approver', token: expect.stringMatching(/^bwk_/) },
    });
    tokens.dave = created.json.token;
    expect((await call('GET', '/api/v1/alerts', { as: 'dave' })).status).toBe(200);
    expect((await call('GET', '/api/v1/tokens', { as: 'dave' })).status).toBe(403);
    const again = await call('POST', '/api/v1/tokens', { as: 'root', body: { name: 'dave', role: 'admin' } });
    expect(again).toMatchObject({ status: 409, json: { error: { code: 'conflict' } } });
    expect((await call('POST', '/api/v1/tokens', { as: 'root', body: { name: 'x y', role: 'admin' } })).status).toBe(
      400,
    );
    const listed = await call('GET', '/api/v1/tokens', { as: 'root' });
    expect(listed.json.find((t: { name: string }) => t.name === 'dave')).toEqual({
      name: 'dave',
      role: 'approver',
      createdAt: expect.any(String),
      revokedAt: null,
    });
    expect(listed.text).not.toContain('hash');
    const log = await listLog(ctx.store);
    expect(log.filter((e) => e.action === 'api-token.create').at(-1)).toMatchObject({
      actor: 'root',
      payload: { name: 'dave', role: 'approver' },
    });
    expect(JSON.stringify(log)).not.toContain(tokens.dave!.slice(4));

    // An approver by role is not an approver of every request: the policy's quorum groups decide.
    const held = await call('POST', '/api/v1/wallet/requests', { as: 'olga', body: withdrawal('900') });
    const vote = await call('POST', `/api/v1/wallet/requests/${held.json.id}/approve`, {
      as: 'dave',
      body: { digest: held.json.digest },
    });
    expect(vote).toMatchObject({ status: 403, json: { error: { code: 'not-an-approver' } } });
  });

  test('behavior: the same Idempotency-Key and body answer the first answer again; another body under the key is 409', async () => {
    const before = await storedRequests();
    const headers = { 'idempotency-key': 'withdraw-7' };
    const first = await call('POST', '/api/v1/wallet/requests', { as: 'olga', body: withdrawal('700'), headers });
    const again = await call('POST', '/api/v1/wallet/requests', { as: 'olga', body: withdrawal('700'), headers });
    expect(first.status).toBe(201);
    expect(again).toMatchObject({ status: 201, json: first.json });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const other = await call('POST', '/api/v1/wallet/requests', { as: 'olga', body: withdrawal('701'), headers });
    expect(other).toMatchObject({ status: 409, json: { error: { code: 'idempotency-key-reused' } } });
    // Keys belong to their token: the same key from another caller is a new request.
    const alice = await call('POST', '/api/v1/wallet/requests', { as: 'alice', body: withdrawal('701'), headers });
    expect(alice.status).toBe(201);
    expect(await storedRequests()).toBe(before + 2);
    // Two retries racing each other: the second waits for the first's answer; one request is stored.
    const racing = { 'idempotency-key': 'race' };
    const [a, b] = await Promise.all([
      call('POST', '/api/v1/wallet/requests', { as: 'olga', body: withdrawal('702'), headers: racing }),
      call('POST', '/api/v1/wallet/requests', { as: 'olga', body: withdrawal('702'), headers: racing }),
    ]);
    expect(a.json.id).toBe(b.json.id);
    expect(await storedRequests()).toBe(before + 3);
    // A refusal is an answer too: replayed, not re-run (a second refusal would be logged twice).
    const logBefore = await logLength();
    const approve = (digest: string) =>
      call('POST', `/api/v1/wallet/requests/${first.json.id}/approve`, {
        as: 'carol',
        body: { digest },
        headers: { 'idempotency-key': 'vote-1' },
      });
    const refused = await approve(`0x${'cd'.repeat(32)}`);
    expect(refused.status).toBe(422);
    expect(await approve(`0x${'cd'.repeat(32)}`)).toMatchObject({ status: 422, json: refused.json });
    expect(await logLength()).toBe(logBefore + 1);
    // Keys are kept in the store: a new server (a restart, another replica) replays the same answer.
    const restarted = await createServer({ store: ctx.store });
    await restarted.listen({ host: '127.0.0.1', port: 0 });
    try {
      const replay = await apiCaller(restarted, tokens)('POST', '/api/v1/wallet/requests', {
        as: 'olga',
        body: withdrawal('700'),
        headers,
      });
      expect(replay).toMatchObject({ status: 201, json: first.json });
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
    } finally {
      await restarted.close();
    }
    expect(await storedRequests()).toBe(before + 3);
  });

  test('behavior: /metrics counts requests per route pattern and reads the store counts', async () => {
    await call('GET', '/api/v1/risks', { as: 'vera' });
    const { status, text, headers } = await call('GET', '/metrics');
    expect(status).toBe(200);
    expect(headers.get('content-type')).toMatch(/^text\/plain/);
    expect(text).toMatch(/^bulwark_http_requests_total\{method="GET",route="\/api\/v1\/risks",status="200"\} [1-9]/m);
    expect(text).toMatch(
      /^bulwark_http_requests_total\{method="GET",route="\/api\/v1\/incidents\/:id",status="404"\} 1$/m,
    );
    expect(text).toMatch(
      /^bulwark_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/risks"\} [1-9]/m,
    );
    const counts = await countStoreFacts(ctx.store);
    expect(counts.openIncidents).toBeGreaterThan(0);
    expect(text).toContain(`bulwark_incidents_open ${counts.openIncidents}\n`);
    expect(text).toContain(`bulwark_alerts{status="active"} ${counts.alerts.active}\n`);
    expect(text).toContain(`bulwark_wallet_requests_pending ${counts.pendingWalletRequests}\n`);
  });

  test('error: no route answers 5xx to garbage parameters, queries and bodies', async () => {
    const garbage = [
      'null',
      '[]',
      '"text"',
      '{"a":{"b":[1,2,{"c":null}]}}',
      '{"digest":123}',
      '{"kind":"withdrawal"}',
      '\u0000',
      '{"__proto__":{"x":1}}',
      '{"digest":"\\u0000"}',
      `{"kind":"withdrawal","source":"hot","chain":1,"reference":"\\u0000"}`,
    ];
    const ids = ['%00', '..%2F..', 'a'.repeat(300), '%F0%9F%92%A5', "'; drop table alerts;--"];
    for (const route of apiRoutes)
      for (const id of ids)
        for (const raw of route.method === 'POST' ? garbage : [undefined]) {
          const path = `${route.url.replace(':id', id)}?limit=abc&state=%00&x[]=1`;
          const { status } = await call(route.method, path, { as: 'root', ...(raw === undefined ? {} : { raw }) });
          expect(status, `${route.method} ${path} ${raw}`).toBeLessThan(500);
        }
  });
});

describeStore('bulwark serve API, store failures', (ctx) => {
  test('error: a store failure is a 500 that says nothing of the cause; the cause goes to logError, scrubbed', async () => {
    const store = await ctx.open();
    const { token } = await createApiToken(store, { name: 'vera', role: 'viewer', actor: 'test' });
    await sql`drop table alerts cascade`.execute(store.db);
    const logged: string[] = [];
    const server = await createServer({ store, logError: (line) => logged.push(line) });
    try {
      const response = await server.inject({
        method: 'GET',
        url: '/api/v1/alerts',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.statusCode).toBe(500);
      expect(response.json()).toEqual({
        error: { code: 'internal', message: 'The server failed on this request; the cause is in its log.' },
      });
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatch(/^GET \/api\/v1\/alerts: .*alerts/);
    } finally {
      await server.close();
    }
  });
});
