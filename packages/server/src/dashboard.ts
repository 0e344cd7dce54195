import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, gzip, constants as zlibConstants } from 'node:zlib';
import { redactSecrets } from '@bulwark/core';
import { dashboardRoot, ensureDashboardBuilt } from '@bulwark/dashboard';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

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

/** A file as served: its bytes, and compressed copies for text that is worth compressing. */
type ServedFile = { identity: Buffer; br?: Buffer | undefined; gzip?: Buffer | undefined };

const compressible = new Set(['.html', '.js', '.mjs', '.css', '.json', '.svg', '.txt', '.map']);
const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

/**
 * Compressed once per file version (path, size, mtime) and kept: the dashboard's assets change only
 * with a rebuild, and compressing them per request would cost more than sending them.
 */
const servedFiles = new Map<string, { version: string; file: Promise<ServedFile> }>();

async function readInside(dist: string, path: string): Promise<ServedFile | undefined> {
  const file = resolve(dist, `.${path}`);
  if (!file.startsWith(dist + sep)) return undefined;
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) return undefined;
  const version = `${info.size}:${info.mtimeMs}`;
  const cached = servedFiles.get(file);
  if (cached?.version === version) return cached.file;
  const served = (async (): Promise<ServedFile> => {
    const identity = await readFile(file);
    if (!compressible.has(extname(file)) || identity.length < 1024) return { identity };
    const [br, gz] = await Promise.all([
      brotli(identity, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11 } }),
      gzipped(identity, { level: 9 }),
    ]);
    return { identity, br, gzip: gz };
  })();
  servedFiles.set(file, { version, file: served });
  return served.catch((error: unknown) => {
    servedFiles.delete(file);
    throw error;
  });
}

/** The encoding the client accepts that we have: brotli first, then gzip, else none (`q=0` refuses one). */
function pickEncoding(acceptEncoding: string | undefined, file: ServedFile): 'br' | 'gzip' | undefined {
  const accepted = new Set(
    (acceptEncoding ?? '')
      .split(',')
      .map((part) => part.trim().toLowerCase().split(';'))
      .filter(([, ...parameters]) => !parameters.some((parameter) => /^\s*q=0(\.0*)?\s*$/.test(parameter)))
      .map(([name]) => name!.trim()),
  );
  if (file.br && (accepted.has('br') || accepted.has('*'))) return 'br';
  if (file.gzip && (accepted.has('gzip') || accepted.has('*'))) return 'gzip';
  return undefined;
}

/** Sends the file in the best encoding the request accepts; caches downstream keep one copy per encoding. */
function sendFile(request: FastifyRequest, reply: FastifyReply, file: ServedFile) {
  const encoding = pickEncoding(request.headers['accept-encoding'], file);
  if (file.br) reply.header('vary', 'accept-encoding');
  if (!encoding) return reply.send(file.identity);
  return reply.header('content-encoding', encoding).send(file[encoding]);
}

/**
 * Serves the built dashboard: hashed assets cached for a year, index.html never cached, text
 * compressed (brotli or gzip, as the browser accepts), and
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
  // Compress the built assets now, in the background, so the first visitor does not wait for it.
  if (unavailable === undefined)
    void readdir(join(dist, 'assets'))
      .then((names) => Promise.all(names.map((name) => readInside(dist, `/assets/${name}`))))
      .catch(() => undefined);

  const sendIndex = async (request: FastifyRequest, reply: FastifyReply) => {
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
    return sendFile(
      request,
      reply.headers(securityHeaders).header('cache-control', 'no-cache').type(contentTypes['.html']!),
      index,
    );
  };

  server.get('/', async (request, reply) => sendIndex(request, reply));
  server.get('/*', async (request, reply) => {
    let path: string;
    try {
      path = decodeURIComponent(request.url.split('?')[0]!);
    } catch {
      return reply.callNotFound();
    }
    if (isReserved(path) || path.includes('\0')) return reply.callNotFound();
    const extension = extname(path);
    if (extension === '') return sendIndex(request, reply);
    const body = await readInside(dist, path);
    if (!body) return reply.callNotFound();
    // Vite names built assets by content hash, so they never change under one name.
    const immutable = path.startsWith('/assets/');
    return sendFile(
      request,
      reply
        .headers(securityHeaders)
        .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
        .type(contentTypes[extension] ?? 'application/octet-stream'),
      body,
    );
  });
}
