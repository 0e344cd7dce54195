/**
 * npm run bench:monitor-startup — time from `bulwark monitor` being spawned to its ready file
 * (every chain followed: config loaded, preflight passed, store open, monitors built, sync
 * started), with a store that already holds the baselines (the usual restart). The median of
 * BENCH_STARTUP_RUNS (default 5) is compared with the 3 s target and with two peers measured in
 * the same run: a bare `node -e ''` start, and the CLI's own load (`bulwark --version`, which
 * pays the TypeScript loader). The phases (from the log's timestamps) show where the time goes.
 * Appends rows to BENCHMARKS.md. Needs nothing outside the repository.
 */

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { guardedVaultConfig, spawnCli } from '@bulwark/cli/testing';
import { startResponderChain } from '@bulwark/monitor/responder/testing';
import { recordBenchmarkRows } from '../benchmarksFile.ts';

const repo = path.resolve(import.meta.dirname, '../..');
const bin = path.join(repo, 'packages/cli/bin/bulwark.js');
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
const date = new Date().toISOString().slice(0, 10);
const runs = Number(process.env.BENCH_STARTUP_RUNS ?? 5);
const targetMs = 3_000;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Spawns `args` and resolves with the ms until it exits (code 0 required). */
function timeToExit(args: string[]): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: repo, stdio: 'ignore' });
    child.on('exit', (code) =>
      code === 0 ? resolve(performance.now() - started) : reject(new Error(`${args.join(' ')} exited ${code}`)),
    );
  });
}

type StartRun = { readyMs: number; phases: Record<string, number> };

/** Spawns the monitor, times its ready file, stops it with SIGTERM and waits for it to exit. */
async function timeToReady(config: string, readyFile: string, env: Record<string, string>): Promise<StartRun> {
  rmSync(readyFile, { force: true });
  const spawnedAt = Date.now();
  const started = performance.now();
  const monitor = spawnCli(['monitor', '--config', config, '--ready-file', readyFile], { cwd: repo, env });
  let readyMs: number | undefined;
  while (readyMs === undefined) {
    if (existsSync(readyFile)) readyMs = performance.now() - started;
    else if (monitor.child.exitCode !== null)
      throw new Error(`the monitor exited ${monitor.child.exitCode}:\n${monitor.stderr()}`);
    else await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await monitor.stop();
  const stderr = monitor.stderr();
  // Phases from the log's own timestamps: first line (CLI loaded, config read), `Watching`, `Ready`.
  const phases: Record<string, number> = {};
  for (const line of stderr.split('\n')) {
    const time = Date.parse(line.slice(0, 24));
    if (Number.isNaN(time)) continue;
    const at = time - spawnedAt;
    phases.firstLine ??= at;
    if (line.includes('Preflight passed')) phases.preflight = at;
    if (line.includes(' Store: ')) phases.store = at;
    if (line.includes('Watching ')) phases.watching = at;
    if (line.includes('Ready: following')) phases.ready = at;
  }
  return { readyMs, phases };
}

const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-bench-startup-'));
const chain = await startResponderChain();
try {
  const guardian = await chain.newGuardian();
  const vault = await chain.deployPausable(guardian.account.address);
  const config = path.join(dir, 'monitor.json');
  writeFileSync(
    config,
    JSON.stringify(
      guardedVaultConfig({ rpc: chain.anvil.rpcUrl, vault, assets: ['native'], keyEnv: 'BENCH_GUARDIAN_KEY' }),
    ),
  );
  const env = { BENCH_GUARDIAN_KEY: guardian.privateKey };
  const readyFile = path.join(dir, 'ready.json');
  // The first run creates the store (PGlite's first open of a folder) and learns the baseline.
  console.log('First run: creating the store and learning the baseline…');
  const first = await timeToReady(config, readyFile, env);
  console.log(`  ready after ${first.readyMs.toFixed(0)} ms (new store; not counted)`);
  const ready: StartRun[] = [];
  const bare: number[] = [];
  const cliLoad: number[] = [];
  for (let i = 0; i < runs; i++) {
    // Interleaved, so a change in the machine's load touches the figure and its peers alike.
    bare.push(await timeToExit(['-e', '']));
    cliLoad.push(await timeToExit([bin, '--version']));
    const run = await timeToReady(config, readyFile, env);
    ready.push(run);
    console.log(
      `  run ${i + 1}: ready ${run.readyMs.toFixed(0)} ms (preflight done ${run.phases.preflight} ms, store open ${run.phases.store} ms, watching ${run.phases.watching} ms); node -e '' ${bare.at(-1)!.toFixed(0)} ms; bulwark --version ${cliLoad.at(-1)!.toFixed(0)} ms`,
    );
  }
  const readyMedian = median(ready.map((run) => run.readyMs));
  const bareMedian = median(bare);
  const loadMedian = median(cliLoad);
  // The machine's load goes with the figure: on shared machines it moves the seconds, not the ratios.
  const data = `monitor start to ready file, existing store (PGlite), 1 chain (anvil), 1 contract with guardian, median of ${runs}, load avg ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`;
  const rows = [
    `| ${date} | ${commit} | ${data} | ${readyMedian.toFixed(0)} ms | target ${targetMs} ms | ${(readyMedian / targetMs).toFixed(2)} |`,
    `| ${date} | ${commit} | ${data} | ${readyMedian.toFixed(0)} ms | \`node -e ''\` ${bareMedian.toFixed(0)} ms | ${(readyMedian / bareMedian).toFixed(1)} |`,
    `| ${date} | ${commit} | ${data} | ${readyMedian.toFixed(0)} ms | \`bulwark --version\` (CLI load) ${loadMedian.toFixed(0)} ms | ${(readyMedian / loadMedian).toFixed(2)} |`,
  ];
  for (const row of rows) console.log(row);
  recordBenchmarkRows({ name: 'monitor-startup', title: 'Monitor start (`npm run bench:monitor-startup`)' }, rows);
} finally {
  await chain.stop();
  rmSync(dir, { recursive: true, force: true });
}
