/**
 * Diagnostic: where a request's time goes on the embedded store under load. Serves the API
 * in-process on a seeded PGlite (seed.ts; DIR reused) whose statements are timed, with the event
 * loop's delay and the server-side time of each request, while a child process drives BENCH_SERVE_CLIENTS clients on one route.
 * `tsx bench/server/traceQueue.ts DIR ROUTE [seconds]`; prints the slowest statements and requests.
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createApiToken, createServer } from '@bulwark/server';
import { openStore } from '@bulwark/store';
import { PGlite } from '@electric-sql/pglite';
import { pgliteOptions } from '../../packages/store/src/pglite.ts';
import { seedStore, seedVolume } from './seed.ts';

const dir = path.resolve(process.argv[2] ?? '/tmp/srvtail/seeded');
const route = process.argv[3] ?? '/api/v1/incidents';
const seconds = Number(process.argv[4] ?? 4);
const fresh = !existsSync(path.join(dir, 'db'));
const pglite = await PGlite.create(path.join(dir, 'db'), pgliteOptions);
type Sample = { sql: string; runMs: number; endedAt: number };
const samples: Sample[] = [];
let tracing = false;
// The store calls these in turn (pgliteTurns.ts): from call to settled is the statement's own time.
const timed =
  <A extends unknown[], T>(sql: (...args: A) => string, call: (...args: A) => Promise<T>) =>
  async (...args: A): Promise<T> => {
    const started = performance.now();
    try {
      return await call(...args);
    } finally {
      if (tracing) samples.push({ sql: sql(...args), runMs: performance.now() - started, endedAt: performance.now() });
    }
  };
pglite.query = timed((sql: string) => sql, pglite.query.bind(pglite)) as typeof pglite.query;
pglite.transaction = timed(
  (_callback: Parameters<typeof pglite.transaction>[0]) => 'TRANSACTION',
  pglite.transaction.bind(pglite),
) as typeof pglite.transaction;
const store = await openStore({ pglite });
if (fresh) await seedStore(store, dir, seedVolume(), (line) => process.stderr.write(`${line}\n`));
const clients = Number(process.env.BENCH_SERVE_CLIENTS ?? 200);
const tokens: string[] = [];
for (let i = 0; i < clients; i++)
  tokens.push(
    (await createApiToken(store, { name: `trace-${Date.now()}-${i}`, role: 'viewer', actor: 'bench' })).token,
  );
const server = await createServer({ store, dashboard: false, cwd: dir });
const url = await server.listen({ port: 0, host: '127.0.0.1' });
// Node-level service time: from the request's headers parsed to its response finished.
const served: { at: number; ms: number }[] = [];
server.server.on('request', (request, response) => {
  const at = performance.now();
  response.on('finish', () => {
    if (tracing) served.push({ at, ms: performance.now() - at });
  });
});
const { monitorEventLoopDelay } = await import('node:perf_hooks');
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
// The event loop's longest stalls: what the store did in each, and how many requests began in it.
const stalls: { from: number; to: number }[] = [];
let beat = performance.now();
const heartbeat = setInterval(() => {
  const now = performance.now();
  if (tracing && now - beat > 250) stalls.push({ from: beat, to: now });
  beat = now;
}, 5);
const child = fork(new URL('./traceLoad.ts', import.meta.url), [], {
  execArgv: ['--import', 'tsx'],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
// warm-up
child.send({ url: `${url}${route}`, tokens: tokens.slice(0, 10), seconds: 0.5, phase: 1 });
await new Promise((resolve) => child.once('message', resolve));
tracing = true;
loopDelay.reset();
child.send({ url: `${url}${route}`, tokens, seconds, phase: 2 });
const answer = (await new Promise((resolve) => child.once('message', resolve))) as { latencies: number[] };
tracing = false;
child.kill();
loopDelay.disable();
clearInterval(heartbeat);
for (const stall of stalls.sort((a, b) => b.to - b.from - (a.to - a.from)).slice(0, 5)) {
  const inside = samples.filter((s) => s.endedAt >= stall.from && s.endedAt <= stall.to);
  const began = served.filter((s) => s.at >= stall.from && s.at <= stall.to).length;
  console.log(
    `stall ${(stall.to - stall.from).toFixed(0)} ms: ${inside.length} statements (${inside.reduce((t, s) => t + s.runMs, 0).toFixed(0)} ms in them), ${began} requests began`,
  );
}
console.log(
  `event loop delay: max ${(loopDelay.max / 1e6).toFixed(1)} ms, p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms`,
);
const servedSorted = served.map((s) => s.ms).sort((a, b) => a - b);
const sq = (f: number) =>
  servedSorted[Math.min(servedSorted.length - 1, Math.ceil(f * servedSorted.length) - 1)]!.toFixed(1);
console.log(
  `server-side: ${servedSorted.length} requests, p50 ${sq(0.5)} p90 ${sq(0.9)} p99 ${sq(0.99)} max ${sq(1)} ms`,
);
const sorted = [...answer.latencies].sort((a, b) => a - b);
const q = (f: number) => sorted[Math.min(sorted.length - 1, Math.ceil(f * sorted.length) - 1)]!.toFixed(1);
console.log(`${route}: ${sorted.length} requests, p50 ${q(0.5)} p90 ${q(0.9)} p99 ${q(0.99)} max ${q(1)} ms`);
const bySql = new Map<string, { n: number; run: number; maxRun: number }>();
for (const s of samples) {
  const key = s.sql.replace(/\s+/g, ' ').slice(0, 140);
  const e = bySql.get(key) ?? { n: 0, run: 0, maxRun: 0 };
  e.n++;
  e.run += s.runMs;
  e.maxRun = Math.max(e.maxRun, s.runMs);
  bySql.set(key, e);
}
for (const [sql, e] of [...bySql].sort((a, b) => b[1].run - a[1].run).slice(0, 12))
  console.log(`${e.n}× ${(e.run / e.n).toFixed(2)} ms avg (max ${e.maxRun.toFixed(1)}) — ${sql}`);
const totalRun = samples.reduce((sum, s) => sum + s.runMs, 0);
console.log(`store busy ${totalRun.toFixed(0)} ms of ${(seconds * 1000).toFixed(0)} ms`);
await server.close();
await store.close();
