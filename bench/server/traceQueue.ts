/**
 * Diagnostic: where a request's time goes on the embedded store under load. Serves the API
 * in-process on a seeded PGlite (seed.ts; DIR is seeded once and reused) whose statements are
 * timed, while a child process (traceLoad.ts) drives BENCH_SERVE_CLIENTS (200) clients on one
 * route: `tsx bench/server/traceQueue.ts DIR ROUTE [seconds]`. Prints the event loop's longest
 * stalls and what ran in them, its delay, the server-side against the client-side latency, and
 * the statements by total time.
 */
import { fork } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createApiToken, createServer } from '@bulwark/server';
import { openStore } from '@bulwark/store';
import { PGlite } from '@electric-sql/pglite';
import { pgliteOptions } from '../../packages/store/src/pglite.ts';
import { percentile } from './load.ts';
import { seedStore, seedVolume } from './seed.ts';

const dir = path.resolve(process.argv[2] ?? 'trace-bench');
const route = process.argv[3] ?? '/api/v1/incidents';
const seconds = Number(process.argv[4] ?? 4);
const fresh = !existsSync(path.join(dir, 'db'));
mkdirSync(dir, { recursive: true });
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
server.server.on('request', (_request, response) => {
  const at = performance.now();
  response.on('finish', () => {
    if (tracing) served.push({ at, ms: performance.now() - at });
  });
});
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
// A warm-up compiles the route's schemas first.
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
const quantiles = (values: number[]) =>
  `p50 ${percentile(values, 0.5).toFixed(1)} p90 ${percentile(values, 0.9).toFixed(1)} p99 ${percentile(values, 0.99).toFixed(1)} max ${percentile(values, 1).toFixed(1)} ms`;
console.log(`server-side: ${served.length} requests, ${quantiles(served.map((s) => s.ms))}`);
console.log(`${route} at the clients: ${answer.latencies.length} requests, ${quantiles(answer.latencies)}`);
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
