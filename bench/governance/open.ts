/**
 * npm run bench:governance-open — the first open of the embedded database (`bulwark log verify`
 * on a new folder) and a reopen (the same command again), in wall time and peak RSS, beside bare
 * PGlite opening a new and an existing folder with its default options, in the same run. The
 * targets are 5 s and 300 MB for the first open. The median of BENCH_OPEN_RUNS (default 3),
 * interleaved so a change in the machine's load touches every figure alike. Appends rows to
 * BENCHMARKS.md. Needs nothing outside the repository.
 */

import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { recordBenchmarkRows } from '../benchmarksFile.ts';

const repo = path.resolve(import.meta.dirname, '../..');
const bin = path.join(repo, 'packages/cli/bin/bulwark.js');
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
const date = new Date().toISOString().slice(0, 10);
const runs = Number(process.env.BENCH_OPEN_RUNS ?? 3);
const targetMs = 5_000;
const targetMb = 300;

// Each child reports its own peak RSS when it exits (process.resourceUsage().maxRSS is in KiB).
const rssMarker = 'BENCH_MAX_RSS_KB=';
const reportPeakRss = `data:text/javascript,process.on('exit',()=>process.stderr.write('\\n${rssMarker}'+process.resourceUsage().maxRSS+'\\n'))`;
// Bare PGlite: what a program using PGlite directly pays to open (and create) the folder.
const barePGlite = `const { PGlite } = await import('@electric-sql/pglite');
const db = await PGlite.create(process.argv[1]);
await db.query('select 1');
await db.close();`;

type Run = { ms: number; mb: number };

/** Spawns node with `args`, requires exit code 0, and returns its wall time and peak RSS. */
function measure(args: string[], cwd = repo): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', reportPeakRss, ...args], {
      cwd,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('exit', (code) => {
      const ms = performance.now() - started;
      const kb = Number(stderr.split(rssMarker)[1]?.trim().split('\n')[0]);
      if (code !== 0 || !Number.isFinite(kb)) reject(new Error(`${args.join(' ')} exited ${code}:\n${stderr}`));
      else resolve({ ms, mb: kb / 1024 });
    });
  });
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-bench-open-'));
const results = { first: [] as Run[], reopen: [] as Run[], bareFirst: [] as Run[], bareReopen: [] as Run[] };
try {
  // One unmeasured open: the first new database of a PGlite version on a machine saves its
  // initdb (the usual state of a machine that has run Bulwark once).
  await measure([bin, 'log', 'verify', '--db', path.join(dir, 'warm-up')]);
  for (let i = 0; i < runs; i++) {
    const db = path.join(dir, `bulwark-${i}`);
    const bare = path.join(dir, `bare-${i}`);
    const verify = [bin, 'log', 'verify', '--db', db];
    results.first.push(await measure(verify));
    results.reopen.push(await measure(verify));
    // Run from the store package, where @electric-sql/pglite resolves.
    const storeDir = path.join(repo, 'packages/store');
    results.bareFirst.push(await measure(['--input-type=module', '-e', barePGlite, bare], storeDir));
    results.bareReopen.push(await measure(['--input-type=module', '-e', barePGlite, bare], storeDir));
    const last = (list: Run[]) => `${list.at(-1)!.ms.toFixed(0)} ms ${list.at(-1)!.mb.toFixed(0)} MB`;
    console.log(
      `  run ${i + 1}: first open ${last(results.first)}, reopen ${last(results.reopen)}; bare PGlite new folder ${last(results.bareFirst)}, existing ${last(results.bareReopen)}`,
    );
    rmSync(db, { recursive: true, force: true });
    rmSync(bare, { recursive: true, force: true });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const ms = (list: Run[]) => median(list.map((run) => run.ms));
const mb = (list: Run[]) => median(list.map((run) => run.mb));
const data = (what: string) =>
  `\`bulwark log verify\`, ${what} (PGlite), median of ${runs}, load avg ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`;
const row = (what: string, figure: string, peer: string, ratio: number) =>
  `| ${date} | ${commit} | ${data(what)} | ${figure} | ${peer} | ${ratio.toFixed(2)} |`;
/** Two rows per folder state: wall time and peak RSS against bare PGlite's, each as a ratio. */
const againstBare = (state: string, ours: Run[], bare: Run[]) => [
  row(
    `${state}, wall time`,
    `${ms(ours).toFixed(0)} ms`,
    `bare PGlite ${state} ${ms(bare).toFixed(0)} ms`,
    ms(ours) / ms(bare),
  ),
  row(
    `${state}, peak RSS`,
    `${mb(ours).toFixed(0)} MB`,
    `bare PGlite ${state} ${mb(bare).toFixed(0)} MB`,
    mb(ours) / mb(bare),
  ),
];
const rows = [
  row(
    'new folder, wall time',
    `${ms(results.first).toFixed(0)} ms`,
    `target ${targetMs} ms`,
    ms(results.first) / targetMs,
  ),
  row(
    'new folder, peak RSS',
    `${mb(results.first).toFixed(0)} MB`,
    `target ${targetMb} MB`,
    mb(results.first) / targetMb,
  ),
  ...againstBare('new folder', results.first, results.bareFirst),
  ...againstBare('existing folder', results.reopen, results.bareReopen),
];
for (const line of rows) console.log(line);
recordBenchmarkRows(
  {
    name: 'governance-open',
    title: 'Governance database open (`npm run bench:governance-open`)',
    intro:
      'The first open of the embedded database and a reopen, by `bulwark log verify`, against the 5 s / 300 MB targets and bare PGlite with its default options in the same run. Ratios below 1 are better than the peer or limit.',
  },
  rows,
);
