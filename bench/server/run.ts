/**
 * npm run bench:serve — `bulwark serve` as its users meet it. Parts (all by default; name some with
 * `--only api,live,load`):
 *  - api: p99 of the main read routes under 200 concurrent clients, against the same server's
 *    /healthz under the same load (api.ts);
 *  - live: a scripted attack block to the alert's row in Chromium's DOM, against block to the alert
 *    recorded in the store (live.ts);
 *  - load: the dashboard's first load on a cold cache, bytes and time, against the raw bytes and a
 *    static file of the same size from the same server (firstLoad.ts).
 * Every figure is a ratio against a peer measured in the same run, with the machine's load beside
 * it. `--no-append` prints the rows without writing BENCHMARKS.md. The api part runs on PGlite, or
 * on PostgreSQL when DATABASE_URL is set or with `--postgres` (TEST_DATABASE_URL, else a local
 * cluster from the PostgreSQL binaries). Needs anvil (npm) and, for live
 * and load, Chromium (/usr/bin/chromium or BULWARK_CHROMIUM).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { createApiToken } from '@bulwark/server';
import { openStore } from '@bulwark/store';
import { benchmarkRowCollector, recordBenchmarkRows } from '../benchmarksFile.ts';
import { p, runApiBench } from './api.ts';
import { medianOf, runFirstLoadBench } from './firstLoad.ts';
import { runLiveBench } from './live.ts';
import { percentile } from './load.ts';
import { startServe } from './serveProcess.ts';

const append = !process.argv.includes('--no-append');
const onlyArg = process.argv.find((arg) => arg.startsWith('--only'));
const only = onlyArg
  ? (onlyArg.includes('=') ? onlyArg.split('=')[1]! : process.argv[process.argv.indexOf(onlyArg) + 1]!).split(',')
  : ['api', 'live', 'load'];
const log = (line: string) => console.error(`[bench:serve] ${line}`);
const machine = () => `load avg ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`;
const { rows, row } = benchmarkRowCollector();

if (only.includes('api')) {
  const result = await runApiBench(log, { postgres: process.argv.includes('--postgres') });
  for (const { route, load, peer } of result.routes) {
    const failed = load.requests - (load.statuses.get(200) ?? 0);
    const data = `GET ${route}, ${result.clients} concurrent keep-alive clients (own token and address each), ${result.seconds} s closed loop, real \`bulwark serve --config\` on ${result.engine}; ${result.volume}; ${machine()}`;
    row(
      data,
      `p99 ${p(load, 0.99).toFixed(1)} ms (p50 ${p(load, 0.5).toFixed(1)} ms, ${(load.requests / load.seconds).toFixed(0)} req/s${failed ? `, ${failed} not 200` : ''})`,
      `/healthz under the same load: p99 ${p(peer, 0.99).toFixed(1)} ms (p50 ${p(peer, 0.5).toFixed(1)} ms, ${(peer.requests / peer.seconds).toFixed(0)} req/s)`,
      `${(p(load, 0.99) / p(peer, 0.99)).toFixed(1)}`,
    );
  }
}

const chromiumPath = process.env.BULWARK_CHROMIUM ?? '/usr/bin/chromium';
const needsBrowser = only.includes('live') || only.includes('load');
if (needsBrowser && !existsSync(chromiumPath))
  throw new Error(`No Chromium at ${chromiumPath}: apt-get install chromium, or set BULWARK_CHROMIUM.`);
const { chromium } = await import('playwright-core');
const browser = needsBrowser
  ? await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] })
  : undefined;
try {
  if (only.includes('live') && browser) {
    const attacks = Number(process.env.BENCH_SERVE_ATTACKS ?? 20);
    const results = await runLiveBench({ browser, attacks, log });
    const toDom = results.map((result) => result.toDomMs);
    const toStore = results.map((result) => result.toStoreMs);
    const data = `${attacks} attack blocks one at a time (a threat-intel address calls the watched vault), real \`bulwark serve --config\` (monitor polling anvil every 100 ms, PGlite), Chromium on the Monitor page; from the mine call's return (upper bound on the block's arrival); ${machine()}`;
    row(
      data,
      `block → alert row in the DOM: p99 ${percentile(toDom, 0.99).toFixed(0)} ms (p50 ${percentile(toDom, 0.5).toFixed(0)} ms)`,
      `block → alert recorded in the store: p99 ${percentile(toStore, 0.99).toFixed(0)} ms (p50 ${percentile(toStore, 0.5).toFixed(0)} ms)`,
      `${(percentile(toDom, 0.99) / percentile(toStore, 0.99)).toFixed(2)}`,
    );
  }
  if (only.includes('load') && browser) {
    const runs = Number(process.env.BENCH_SERVE_LOAD_RUNS ?? 5);
    const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-bench-first-load-'));
    try {
      const store = await openStore({ dataDir: path.join(dir, 'db') });
      const { token } = await createApiToken(store, { name: 'viewer', role: 'viewer', actor: 'bench' });
      await store.close();
      const serve = await startServe({ cwd: dir, args: ['--db', 'db'] });
      try {
        const result = await runFirstLoadBench({ browser, url: serve.url, token, runs, log });
        const data = `dashboard first load (Posture page, empty store), fresh Chromium context with the cache disabled, median of ${runs}, real \`bulwark serve\`; ${machine()}`;
        const wire = medianOf(result.runs, 'bytes');
        const files = medianOf(result.runs, 'fileBytes');
        const raw = medianOf(result.runs, 'rawBytes');
        const heading = medianOf(result.runs, 'headingMs');
        const alone = medianOf(result.runs, 'staticMs');
        const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
        row(
          data,
          `${kb(files)} of dashboard files over the wire (${kb(wire)} in all with API answers and headers, ${medianOf(result.runs, 'requests')} requests)`,
          `the same files as built, uncompressed: ${kb(raw)}`,
          `${(files / raw).toFixed(2)}`,
        );
        row(
          data,
          `${heading.toFixed(0)} ms from navigation start to the main heading (h1) in the DOM`,
          `the main script alone (${kb(result.staticBytes)}, uncompressed) from the same server: ${alone.toFixed(1)} ms`,
          `${(heading / alone).toFixed(1)}`,
        );
      } finally {
        await serve.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
} finally {
  await browser?.close();
}

if (append && rows.length > 0)
  recordBenchmarkRows(
    {
      name: 'serve',
      title: '`bulwark serve`: API under load, live alert to the browser, dashboard first load (npm run bench:serve)',
      intro:
        'The real `bulwark serve` process. API: p99 of each main read route under 200 concurrent clients (each its own viewer token and source address, so the rate limits apply per user as in production), against the same server’s `/healthz` under the same load just before. Live: a scripted attack block mined on anvil to the alert’s row in Chromium’s DOM, against block to alert recorded in the store. First load: a fresh browser context with the cache disabled, bytes as served and time to the page’s main heading, against the raw bytes and a static file of the same size from the same server.',
    },
    rows,
  );
