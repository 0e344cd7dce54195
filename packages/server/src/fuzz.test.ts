import { openIncident, type StoreClient } from '@bulwark/store';
import { describeStore } from '@bulwark/store/testing';
import { Ajv } from 'ajv';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import { createServer } from './createServer.ts';
import { apiCaller, installPolicy, withdrawal } from './testing.ts';
import { apiRoles, createApiToken } from './tokens.ts';

type Operation = {
  operationId: string;
  description: string;
  parameters: { name: string; in: string; schema: Record<string, unknown> }[];
  requestBody?: { content: { 'application/json': { schema: Record<string, unknown> } } };
  responses?: Record<string, { content?: Record<string, unknown> }>;
};

/** A stream answers a good request with a response that never ends (its own tests cover it). */
const isStream = (operation: Operation) =>
  Object.values(operation.responses ?? {}).some((response) => 'text/event-stream' in (response.content ?? {}));

/** Path segments an attacker or a broken client sends. */
const badIds = [
  '..%2F..%2Fetc%2Fpasswd',
  '%2e%2e',
  '..',
  'a'.repeat(3000),
  '%F0%9F%98%80',
  '-1',
  '%00',
  '%20',
  'x%27%20or%201%3D1',
  '%C0%AE',
];
/** Query values of the wrong type, range or size. */
const badQueryValues = ['abc', '-1', '0', '1e309', '1.5', 'x'.repeat(5000), '%F0%9F%98%80', '%00', '', 'true'];
/** Values that do not fit a field, whatever its type. */
const badValues: unknown[] = [
  null,
  true,
  -1,
  -1e308,
  1e308,
  0.5,
  '',
  ' ',
  'x'.repeat(20_000),
  '😀'.repeat(100),
  '../../etc/passwd',
  '\u202e\u200b',
  [],
  {},
  { $ne: 1 },
  ['x'],
];
/** Bodies of the wrong shape altogether (raw text). */
const badBodies = ['', '{', 'null', '[]', '"x"', '42', '{"a":1}{', '{"__proto__":{"admin":true}}', '{"x":"\\u0000"}'];

/** Row counts of every table: what "reached the store" means here. */
async function storeCounts(store: StoreClient): Promise<Record<string, number>> {
  const tables = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE' and table_name <> 'kysely_migration'
    order by table_name`.execute(store.db);
  const counts: Record<string, number> = {};
  for (const { table_name } of tables.rows)
    counts[table_name] = Number(
      (await sql<{ n: string }>`select count(*) as n from ${sql.table(table_name)}`.execute(store.db)).rows[0]!.n,
    );
  return counts;
}

describeStore('bulwark serve API: fuzz over /openapi.json', (ctx) => {
  let server: FastifyInstance;
  let call: ReturnType<typeof apiCaller>;
  const tokens: Record<string, string> = {};
  let operations: { path: string; method: string; operation: Operation }[];
  const ajv = new Ajv({ strict: false, validateFormats: false, coerceTypes: 'array', useDefaults: true });

  beforeAll(async () => {
    for (const role of apiRoles)
      tokens[role] = (await createApiToken(ctx.store, { name: role, role, actor: 'test' })).token;
    await installPolicy(ctx.store);
    await openIncident(ctx.store, { title: 'Fuzzed', severity: 'high', actor: 'monitor' });
    server = await createServer({ store: ctx.store, rateLimits: false });
    await server.listen({ host: '127.0.0.1', port: 0 });
    call = apiCaller(server, tokens);
    const document = (await call('GET', '/openapi.json')).json;
    operations = Object.entries(document.paths as Record<string, Record<string, Operation>>)
      .filter(([path]) => path.startsWith('/api/v1/'))
      .flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, operation]) => ({ path, method: method.toUpperCase(), operation })),
      );
  });
  afterAll(async () => {
    await server?.close();
  });

  const fill = (path: string, value: string) => path.replace(/\{[^}]+\}/g, value);
  let failures: string[] = [];
  const expectNo5xx = (what: string, status: number) => {
    if (status >= 500 || status < 200) failures.push(`${what}: ${status}`);
  };
  beforeEach(() => {
    failures = [];
  });

  test('error: bad path ids, query values and unknown parameters never answer 5xx; reads stay reads', async () => {
    expect(operations.length).toBeGreaterThan(20);
    const before = await storeCounts(ctx.store);
    for (const { path, method, operation } of operations) {
      if (method !== 'GET') continue;
      for (const id of path.includes('{') ? badIds : isStream(operation) ? [] : ['']) {
        const url = fill(path, id);
        expectNo5xx(`${method} ${url.slice(0, 80)}`, (await call(method, url, { as: 'admin' })).status);
      }
      const query = operation.parameters.filter((p) => p.in === 'query');
      for (const parameter of [...query.map((p) => p.name), 'unknown']) {
        for (const value of badQueryValues) {
          const url = `${fill(path, 'x')}?${parameter}=${value}`;
          const { status } = await call(method, url, { as: 'admin' });
          expectNo5xx(`${method} ${url.slice(0, 80)}`, status);
        }
      }
      const repeated = await call(method, `${fill(path, 'x')}?limit=1&limit=2&state=a&state=b`, { as: 'admin' });
      expectNo5xx(`${method} ${path} repeated query`, repeated.status);
    }
    expect(failures).toEqual([]);
    // A GET writes nothing, whatever it is sent (idempotency keys and the log included).
    expect(await storeCounts(ctx.store)).toEqual(before);
  }, 300_000);

  test('error: malformed and mistyped bodies on every POST are 4xx and never reach the store', async () => {
    const posts = operations.filter((o) => o.method === 'POST');
    expect(posts.length).toBeGreaterThan(5);
    for (const { path, operation } of posts) {
      const url = fill(path, 'no-such-id');
      const schema = operation.requestBody?.content['application/json'].schema;
      const validate = schema && ajv.compile(schema);
      const bodies: string[] = [...badBodies];
      if (schema) {
        const properties = Object.keys((schema.properties ?? {}) as Record<string, unknown>);
        const sample: Record<string, unknown> = operation.operationId === 'submitWalletRequest' ? withdrawal('5') : {};
        for (const property of properties)
          for (const value of badValues) bodies.push(JSON.stringify({ ...sample, [property]: value }));
        bodies.push(JSON.stringify({ ...sample, unexpected: 'field' }));
      }
      for (const raw of bodies) {
        const before = await storeCounts(ctx.store);
        const answer = await call('POST', url, { as: 'admin', raw });
        const what = `POST ${path} ${raw.slice(0, 60)}`;
        expectNo5xx(what, answer.status);
        let parsed: unknown;
        let json = true;
        try {
          parsed = JSON.parse(raw);
        } catch {
          json = false;
        }
        // What the schema refuses is a 400 and leaves every table as it was.
        const malformed = !json || raw.includes('\\u0000') || (validate ? !validate(structuredClone(parsed)) : false);
        if (malformed) {
          if (answer.status !== 400 && answer.status !== 413) failures.push(`${what}: ${answer.status}, not 400`);
          const after = await storeCounts(ctx.store);
          if (JSON.stringify(after) !== JSON.stringify(before)) failures.push(`${what}: reached the store`);
        } else if (answer.status >= 500) failures.push(`${what}: ${answer.status}`);
      }
    }
    expect(failures).toEqual([]);
  }, 600_000);

  test('error: every route refuses a missing token (401) and a role below its own (403), before any write', async () => {
    const before = await storeCounts(ctx.store);
    for (const { path, method, operation } of operations) {
      const url = fill(path, 'x');
      const body = method === 'POST' ? { raw: '{}' } : {};
      expect((await call(method, url, body)).status, `${method} ${path}`).toBe(401);
      const needed = apiRoles.find((role) => operation.description.includes(`role ${role} `))!;
      for (const role of apiRoles.slice(0, apiRoles.indexOf(needed)))
        expect((await call(method, url, { as: role, ...body })).status, `${method} ${path} as ${role}`).toBe(403);
    }
    expect(await storeCounts(ctx.store)).toEqual(before);
  }, 300_000);
});
