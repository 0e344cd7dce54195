import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { dashboardRoot } from '@bulwark/dashboard';
import { type OpenStoreReturnType, openStore } from '@bulwark/store';
import { memoryPGlite } from '@bulwark/store/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createServer } from './createServer.ts';
import { dashboardContentSecurityPolicy } from './dashboard.ts';

// The dashboard's files do not depend on the store engine, so one PGlite store serves both suites.
let store: OpenStoreReturnType;
beforeAll(async () => {
  store = await openStore({ pglite: await memoryPGlite() });
});
afterAll(async () => {
  await store?.close();
});

/** A GET that keeps the body as sent (fetch would decompress it): status, headers and raw bytes. */
function rawGet(url: string, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
    get(url, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
      );
    }).on('error', reject);
  });
}

async function listen(server: FastifyInstance) {
  await server.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
}

describe('dashboard served by the API server', () => {
  let server: FastifyInstance;
  let base: string;
  let script: string;
  const progress: string[] = [];

  beforeAll(async () => {
    // The real dashboard, built on start when dist is missing or stale (as `bulwark serve` does).
    server = await createServer({ store, dashboard: { log: (line) => progress.push(line) } });
    base = await listen(server);
    script = (await readdir(join(dashboardRoot, 'dist/assets'))).find((name) => name.endsWith('.js'))!;
  });
  afterAll(async () => {
    await server?.close();
  });

  test('default: / and client routes answer index.html with the CSP and no caching', async () => {
    for (const path of ['/', '/monitor', '/incidents/inc-42', '/wallets?tab=pending']) {
      const response = await fetch(`${base}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(response.headers.get('content-security-policy')).toBe(dashboardContentSecurityPolicy);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      const html = await response.text();
      expect(html).toContain('<div id="root"></div>');
      expect(html).toContain(`/assets/${script}`);
    }
  });

  test('behavior: hashed assets are served with their type and cached as immutable', async () => {
    const response = await fetch(`${base}/assets/${script}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await response.text()).length).toBeGreaterThan(1000);
    const css = (await readdir(join(dashboardRoot, 'dist/assets'))).find((name) => name.endsWith('.css'))!;
    expect((await fetch(`${base}/assets/${css}`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  test('behavior: text is sent compressed as the browser accepts (brotli, else gzip, else as is), the same bytes once decoded', async () => {
    const original = await readFile(join(dashboardRoot, 'dist/assets', script));
    const url = `${base}/assets/${script}`;
    const br = await rawGet(url, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('accept-encoding');
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.body.length).toBeLessThan(original.length / 2);
    expect(brotliDecompressSync(br.body).equals(original)).toBe(true);
    const gz = await rawGet(url, { 'accept-encoding': 'gzip, br;q=0' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).equals(original)).toBe(true);
    const plain = await rawGet(url, {});
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.equals(original)).toBe(true);
    // Under 1 KiB (index.html) compression saves less than it costs: sent as is.
    const index = await rawGet(`${base}/monitor`, { 'accept-encoding': 'br' });
    expect(index.headers['content-encoding']).toBeUndefined();
    expect(index.body.toString()).toContain(`/assets/${script}`);
  });

  test('behavior: API, health, metrics, docs and OpenAPI paths are never shadowed', async () => {
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    expect((await fetch(`${base}/metrics`)).headers.get('content-type')).toContain('text/plain');
    expect((await fetch(`${base}/openapi.json`)).headers.get('content-type')).toContain('application/json');
    for (const path of ['/api/v1/no-such-route', '/api/v1', '/docs/missing', '/openapi.json/x', '/metrics/x']) {
      const response = await fetch(`${base}${path}`);
      expect(response.status, path).toBe(404);
      expect(response.headers.get('content-type'), path).toContain('application/json');
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('not-found');
    }
    // An API route still wants its token: the dashboard never answers in its place.
    expect((await fetch(`${base}/api/v1/alerts`)).status).toBe(401);
  });

  test('error: a missing asset is a 404, not index.html; paths cannot leave dist', async () => {
    for (const path of ['/assets/missing.js', '/..%2fpackage.json', '/%2e%2e/%2e%2e/package.json']) {
      const response = await fetch(`${base}${path}`);
      expect(response.status, path).toBe(404);
      expect(await response.text(), path).not.toContain('"name": "@bulwark/dashboard"');
    }
    // Malformed percent-encoding is refused by Fastify before any route.
    expect((await fetch(`${base}/x%E0.js`)).status).toBe(400);
  });

  test('behavior: a second server start finds dist fresh and does not rebuild', async () => {
    const again: string[] = [];
    const other = await createServer({ store, dashboard: { log: (line) => again.push(line) } });
    await other.close();
    expect(again).toEqual([]);
  });
});

describe('dashboard not built', () => {
  let root: string;
  let server: FastifyInstance;
  let base: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'bulwark-dash-'));
    await cp(join(dashboardRoot, 'index.html'), join(root, 'index.html'));
    server = await createServer({ store, dashboard: { root, build: false } });
    base = await listen(server);
  });
  afterAll(async () => {
    await server?.close();
    await rm(root, { recursive: true, force: true });
  });

  test('error: without a build the dashboard says how to build it and the API still answers', async () => {
    const response = await fetch(`${base}/monitor`);
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('npm run build -w @bulwark/dashboard');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  test('behavior: dashboard: false serves the API alone', async () => {
    const apiOnly = await createServer({ store, dashboard: false });
    const url = await listen(apiOnly);
    try {
      const response = await fetch(`${url}/monitor`);
      expect(response.status).toBe(404);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('not-found');
    } finally {
      await apiOnly.close();
    }
  });
});
