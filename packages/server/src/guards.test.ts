import { listWalletRequests, type OpenStoreReturnType, openStore } from '@bulwark/store';
import { memoryPGlite } from '@bulwark/store/testing';
import type { FastifyInstance } from 'fastify';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createServer } from './createServer.ts';
import { apiRoutes } from './routes.ts';
import { apiCaller, installPolicy, withdrawal } from './testing.ts';
import { createApiToken } from './tokens.ts';

// Rate limits, CSRF and /docs do not depend on the store's engine: one in-memory PGlite.
let store: OpenStoreReturnType;
const tokens: Record<string, string> = {};
beforeAll(async () => {
  store = await openStore({ pglite: await memoryPGlite() });
  for (const [name, role] of [
    ['vera', 'viewer'],
    ['olga', 'operator'],
    ['otto', 'operator'],
  ] as const)
    tokens[name] = (await createApiToken(store, { name, role, actor: 'test' })).token;
  await installPolicy(store);
});
afterAll(async () => {
  await store?.close();
});

async function start(parameters: Partial<Parameters<typeof createServer>[0]> = {}) {
  const server = await createServer({ store, ...parameters });
  await server.listen({ host: '127.0.0.1', port: 0 });
  return { server, call: apiCaller(server, tokens) };
}

describe('rate limits', () => {
  let server: FastifyInstance;
  let call: ReturnType<typeof apiCaller>;
  beforeAll(async () => {
    ({ server, call } = await start({ rateLimits: { perIp: 6, perToken: 3, windowMs: 3_600_000 } }));
  });
  afterAll(async () => {
    await server?.close();
  });

  test('behavior: a token over its limit gets 429 with Retry-After; another token goes on until the IP limit', async () => {
    for (let i = 0; i < 3; i++) expect((await call('GET', '/api/v1/me', { as: 'olga' })).status).toBe(200);
    const limited = await call('GET', '/api/v1/me', { as: 'olga' });
    expect(limited).toMatchObject({ status: 429, json: { error: { code: 'rate-limited' } } });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // A write over the limit never reaches the store.
    const stored = (await listWalletRequests(store)).length;
    expect((await call('POST', '/api/v1/wallet/requests', { as: 'olga', body: withdrawal('5') })).status).toBe(429);
    expect((await listWalletRequests(store)).length).toBe(stored);
    // Five requests from this IP so far: one more is allowed, then every request is refused, with a token or not.
    expect((await call('GET', '/api/v1/me', { as: 'otto' })).status).toBe(200);
    expect((await call('GET', '/api/v1/me', { as: 'otto' })).status).toBe(429);
    expect((await call('GET', '/healthz')).status).toBe(429);
  });
});

describe('rate limits shared through the store', () => {
  const limits = { perIp: 1000, perToken: 3, windowMs: 3_600_000, shared: true };
  let servers: Awaited<ReturnType<typeof start>>[] = [];
  beforeAll(async () => {
    servers = [await start({ rateLimits: limits }), await start({ rateLimits: limits })];
  });
  afterAll(async () => {
    for (const { server } of servers) await server.close();
  });

  test('behavior: two servers on one store count together: the limit holds across them', async () => {
    const [a, b] = servers as [(typeof servers)[0], (typeof servers)[0]];
    expect((await a.call('GET', '/api/v1/me', { as: 'vera' })).status).toBe(200);
    expect((await b.call('GET', '/api/v1/me', { as: 'vera' })).status).toBe(200);
    expect((await a.call('GET', '/api/v1/me', { as: 'vera' })).status).toBe(200);
    // In memory, each server would allow three more.
    for (const { call } of [b, a]) {
      const limited = await call('GET', '/api/v1/me', { as: 'vera' });
      expect(limited).toMatchObject({ status: 429, json: { error: { code: 'rate-limited' } } });
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    const counted = await store.db
      .selectFrom('rate_limit_counters')
      .select(['key', 'hits'])
      .where('key', '=', 'token:vera')
      .execute();
    expect(counted).toEqual([{ key: 'token:vera', hits: 5 }]);
  });
});

test('behavior: shared counts that cannot be kept (the database is gone) let /healthz answer; API routes fail with a 500', async () => {
  const own = await openStore({ pglite: await memoryPGlite() });
  const server = await createServer({ store: own, rateLimits: { shared: true }, dashboard: false });
  await server.listen({ host: '127.0.0.1', port: 0 });
  try {
    const call = apiCaller(server, tokens);
    expect((await call('GET', '/healthz')).status).toBe(200);
    await own.close();
    expect((await call('GET', '/healthz')).status).toBe(200);
    expect((await call('GET', '/api/v1/me', { as: 'vera' })).status).toBe(500);
  } finally {
    await server.close();
  }
});

describe('CSRF and CORS', () => {
  let server: FastifyInstance;
  let call: ReturnType<typeof apiCaller>;
  let own: string;
  beforeAll(async () => {
    ({ server, call } = await start({ allowedOrigins: ['https://console.example.org'] }));
    own = `http://127.0.0.1:${(server.server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await server?.close();
  });

  test('error: a request with credentials from another origin is 403 and never reaches the store', async () => {
    const stored = (await listWalletRequests(store)).length;
    for (const headers of [
      { origin: 'https://evil.example' },
      { 'sec-fetch-site': 'cross-site' },
      { origin: 'null' },
    ] as Record<string, string>[]) {
      const answer = await call('POST', '/api/v1/wallet/requests', { as: 'olga', body: withdrawal('5'), headers });
      expect(answer).toMatchObject({ status: 403, json: { error: { code: 'cross-origin' } } });
      expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    }
    expect((await listWalletRequests(store)).length).toBe(stored);
    expect(
      (await call('GET', '/api/v1/me', { as: 'vera', headers: { origin: own, 'sec-fetch-site': 'same-origin' } }))
        .status,
    ).toBe(200);
    expect(
      (await call('GET', '/api/v1/me', { as: 'vera', headers: { origin: 'https://console.example.org' } })).status,
    ).toBe(200);
  });

  test('behavior: no CORS preflight is granted, and a cookie is never a credential', async () => {
    const preflight = await call('OPTIONS', '/api/v1/wallet/requests', {
      headers: {
        origin: 'https://evil.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(preflight.status).toBe(404);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-headers')).toBeNull();
    const cookie = await call('GET', '/api/v1/me', { headers: { cookie: `token=${tokens.vera}` } });
    expect(cookie.status).toBe(401);
  });
});

describe('/docs', () => {
  test('default: the page renders every operation of /openapi.json in Chromium, from this origin only', async () => {
    const { server, call } = await start();
    const browser = await chromium.launch({ executablePath: process.env.BULWARK_CHROMIUM || '/usr/bin/chromium' });
    try {
      const page = await call('GET', '/docs');
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      const tab = await browser.newPage();
      const requested: string[] = [];
      tab.on('request', (request) => requested.push(request.url()));
      const address = server.server.address() as { port: number };
      const origin = `http://127.0.0.1:${address.port}`;
      await tab.goto(`${origin}/docs`);
      await tab.waitForSelector('details.operation');
      const ids = await tab.$$eval('details.operation', (nodes) => nodes.map((n) => n.id));
      expect(ids).toEqual(expect.arrayContaining(apiRoutes.map((r) => r.operationId)));
      expect(requested.filter((url) => !url.startsWith(`${origin}/`))).toEqual([]);
      expect(requested).toContain(`${origin}/openapi.json`);
    } finally {
      await browser.close();
      await server.close();
    }
  });
});
