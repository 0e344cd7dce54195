import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { redactSecrets } from '@bulwark/core';
import { dashboardRoot, ensureDashboardBuilt } from '@bulwark/dashboard';
import type { FastifyInstance, FastifyReply } from 'fastify';

export type DashboardParameters = {
  /** The dashboard package's folder (index.html, src/app, dist); default: @bulwark/dashboard's. */
  root?: string | undefined;
  /** Build dist with Vite when it is missing or older than the sources (default: true). */
  build?: boolean | undefined;
  /** Build progress and failures; default: stderr. */
  log?: ((line: string) => void) | undefined;
};

/** Paths the dashboard never answers, even when no route matched: they belong to the API and tools. */
const reservedPrefixes = ['/api/', '/healthz', '/metrics', '/docs', '/openapi.json'];
const isReserved = (path: string) =>
  reservedPrefixes.some((prefix) => path === prefix.replace(/\/$/, '') || path.startsWith(prefix));

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/**
 * Same-origin everything; no inline script. Inline styles are allowed because the conformance
 * report (shown in a sandboxed srcdoc frame, which inherits this policy) carries its own <style>.
 */
export const dashboardContentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

const securityHeaders = {
  'content-security-policy': dashboardContentSecurityPolicy,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

async function readInside(dist: string, path: string): Promise<Buffer | undefined> {
  const file = resolve(dist, `.${path}`);
  if (!file.startsWith(dist + sep)) return undefined;
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) return undefined;
  return readFile(file);
}

/**
 * Serves the built dashboard: hashed assets cached for a year, index.html never cached, and
 * index.html for any other GET path without a file extension (client routes such as
 * /incidents/42). API, health, metrics and docs paths keep the API's own 404.
 */
export async function registerDashboard(server: FastifyInstance, parameters: DashboardParameters = {}): Promise<void> {
  const root = parameters.root ?? dashboardRoot;
  const dist = resolve(join(root, 'dist'));
  const log = parameters.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  let unavailable: string | undefined;
  if (parameters.build ?? true) {
    try {
      await ensureDashboardBuilt({ root, log });
    } catch (error) {
      // The API still serves; the dashboard's paths explain what went wrong.
      unavailable = redactSecrets(error instanceof Error ? error.message : String(error));
      log(`dashboard: not available: ${unavailable}`);
    }
  }

  const sendIndex = async (reply: FastifyReply) => {
    const index = unavailable === undefined ? await readInside(dist, '/index.html') : undefined;
    if (!index)
      return reply
        .code(503)
        .headers(securityHeaders)
        .header('cache-control', 'no-store')
        .type('text/plain; charset=utf-8')
        .send(
          `The dashboard is not built${unavailable ? `: ${unavailable}` : '.'}\nRun \`npm run build -w @bulwark/dashboard\` and restart the server (the API under /api/v1 works without it).\n`,
        );
    return reply.headers(securityHeaders).header('cache-control', 'no-cache').type(contentTypes['.html']!).send(index);
  };

  server.get('/', async (_request, reply) => sendIndex(reply));
  server.get('/*', async (request, reply) => {
    let path: string;
    try {
      path = decodeURIComponent(request.url.split('?')[0]!);
    } catch {
      return reply.callNotFound();
    }
    if (isReserved(path) || path.includes('\0')) return reply.callNotFound();
    const extension = extname(path);
    if (extension === '') return sendIndex(reply);
    const body = await readInside(dist, path);
    if (!body) return reply.callNotFound();
    // Vite names built assets by content hash, so they never change under one name.
    const immutable = path.startsWith('/assets/');
    return reply
      .headers(securityHeaders)
      .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      .type(contentTypes[extension] ?? 'application/octet-stream')
      .send(body);
  });
}
