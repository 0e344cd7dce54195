/**
 * npm run bench:scan-speed — wall time and peak memory of `bulwark scan` (the real CLI) against
 * solhint 6.2.4 on the same files, in the same run, alternating, median of BENCH_RUNS (3).
 *
 * The sets model real deployed code rather than one project: files drawn deterministically from the
 * audited npm corpora (OpenZeppelin 1.12 to 5.x, Aragon, Gnosis Safe, Uniswap v2/v3, solmate,
 * solady, Aave), each flattened with its imports as a verified-source explorer shows it, and
 * pinned to one exact compiler release its pragmas admit (so a set needs many solc versions, some
 * not bundled). A small (150) and a large (350) set; SolidiFI as a third when it is present
 * (../shared/datasets/solidifi or SOLIDIFI_DIR). Compilers that are not bundled are fetched once
 * before timing, so the figures compare analysis, not the network.
 *
 * Memory is the peak of the summed resident set of the whole process tree (sampled from /proc),
 * threads counted. Flags: --no-append (print rows only), --sets small,large,solidifi (a subset), --out <dir> (keep the
 * sets there), BENCH_RUNS=0 (build the sets only).
 */

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import {
  bundledSolcVersions,
  cachedSolcVersions,
  createImportResolver,
  findImports,
  findSolidityPragmas,
  parseVersion,
  satisfiesRange,
} from '@bulwark/solidity';
import { benchmarkRowCollector, recordBenchmarkRows } from '../benchmarksFile.ts';
import { auditedPackages, solidityFiles } from './audited.ts';
import { fileStatusShares } from './fileStatus.ts';
import { solidifiAvailable, solidifiRoot } from './solidifi.ts';

const repo = path.resolve(import.meta.dirname, '../..');
const bulwark = path.join(repo, 'node_modules/.bin/bulwark');
const solhint = path.join(repo, 'node_modules/.bin/solhint');
const runs = Number(process.env.BENCH_RUNS ?? 3);
const append = !process.argv.includes('--no-append');
const setsFlag = process.argv.indexOf('--sets');
const wanted = new Set((setsFlag >= 0 ? process.argv[setsFlag + 1]! : 'small,large,solidifi').split(','));

/** Releases commonly seen pinned on deployed contracts; a file gets one its pragmas admit. */
const deployedReleases = [
  '0.4.24',
  '0.4.25',
  '0.4.26',
  '0.5.16',
  '0.5.17',
  '0.6.6',
  '0.6.12',
  '0.7.6',
  '0.8.4',
  '0.8.10',
  '0.8.15',
  '0.8.19',
  '0.8.20',
  '0.8.24',
  '0.8.30',
];

const hashOf = (text: string) => createHash('sha256').update(text).digest('hex');

type Flattened = { name: string; text: string; version: string };

/** A file and its imports in one source, dependencies first, one exact pragma; undefined when no release fits. */
function flatten(file: string, root: string): Flattened | undefined {
  const resolver = createImportResolver({ root });
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (current: string) => {
    if (seen.has(current)) return;
    seen.add(current);
    for (const statement of findImports(readFileSync(current, 'utf8'))) {
      const resolved = resolver.resolve(statement.path, current);
      if (!resolved.found) throw new Error(`unresolved import ${statement.path}`);
      visit(resolved.path);
    }
    order.push(current);
  };
  try {
    visit(file);
  } catch {
    return undefined;
  }
  const pragmas = order.flatMap((f) => findSolidityPragmas(readFileSync(f, 'utf8')));
  const fitting = deployedReleases.filter((v) => pragmas.every((p) => satisfiesRange(parseVersion(v)!, p)));
  if (fitting.length === 0) return undefined;
  const version = fitting[Number.parseInt(hashOf(file).slice(0, 8), 16) % fitting.length]!;
  const extraPragmas = new Set<string>();
  const bodies = order.map((f) => {
    let text = readFileSync(f, 'utf8');
    for (const statement of findImports(text).reverse()) {
      const end = text.indexOf(';', statement.index);
      text = text.slice(0, statement.index) + text.slice(end + 1);
    }
    text = text.replace(/pragma\s+(experimental\s+ABIEncoderV2|abicoder\s+v2)\s*;/g, (m) => {
      extraPragmas.add(m.replace(/\s+/g, ' '));
      return '';
    });
    return text.replace(/pragma\s+solidity[^;]*;/g, '').replace(/^\s*\/\/\s*SPDX-License-Identifier:.*$/gm, '');
  });
  const header = ['// SPDX-License-Identifier: MIT', `pragma solidity ${version};`, ...extraPragmas];
  const name = `${path.basename(file, '.sol')}-${hashOf(file).slice(0, 6)}.sol`;
  return { name, text: `${header.join('\n')}\n${bodies.join('\n')}`, version };
}

/** The first `size` files of the audited corpora in hash order (deterministic, mixes packages), flattened. */
function buildSet(size: number, folder: string): { files: string[]; versions: Map<string, number> } {
  const candidates = Object.values(auditedPackages).flatMap(({ folder: packageFolder }) => {
    const absolute = path.join(repo, packageFolder);
    try {
      return solidityFiles(absolute).map((file) => ({ file, key: hashOf(path.relative(repo, file)) }));
    } catch {
      return [];
    }
  });
  candidates.sort((a, b) => a.key.localeCompare(b.key));
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  const files: string[] = [];
  const versions = new Map<string, number>();
  for (const { file } of candidates) {
    if (files.length >= size) break;
    const flat = flatten(file, repo);
    if (!flat) continue;
    const target = path.join(folder, flat.name);
    writeFileSync(target, flat.text);
    files.push(target);
    versions.set(flat.version, (versions.get(flat.version) ?? 0) + 1);
  }
  return { files, versions };
}

/** Summed RSS (kB) and thread count of a process and all its descendants, from /proc. */
function treeUsage(pid: number): { rssKb: number; threads: number; processes: number } {
  let rssKb = 0;
  let threads = 0;
  let processes = 0;
  const stack = [pid];
  while (stack.length > 0) {
    const current = stack.pop()!;
    try {
      const status = readFileSync(`/proc/${current}/status`, 'utf8');
      rssKb += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      threads += Number(/Threads:\s+(\d+)/.exec(status)?.[1] ?? 0);
      processes++;
      for (const task of readdirSync(`/proc/${current}/task`)) {
        const children = readFileSync(`/proc/${current}/task/${task}/children`, 'utf8').trim();
        if (children) stack.push(...children.split(/\s+/).map(Number));
      }
    } catch {
      // The process ended between two reads.
    }
  }
  return { rssKb, threads, processes };
}

type Measured = { ms: number; peakMb: number; threads: number; processes: number; stdout: string; status: number };

/** Runs a command, sampling its process tree's memory until it exits. */
function measure(command: string, args: string[], cwd: string): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child: ChildProcess = spawn(command, args, { cwd, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr!.resume();
    let peakKb = 0;
    let threads = 0;
    let processes = 0;
    const sample = () => {
      const usage = treeUsage(child.pid!);
      peakKb = Math.max(peakKb, usage.rssKb);
      threads = Math.max(threads, usage.threads);
      processes = Math.max(processes, usage.processes);
    };
    const timer = setInterval(sample, 20);
    child.on('error', reject);
    child.on('exit', (status) => {
      clearInterval(timer);
      resolve({
        ms: performance.now() - started,
        peakMb: peakKb / 1024,
        threads,
        processes,
        stdout,
        status: status ?? -1,
      });
    });
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const { rows, row } = benchmarkRowCollector();

// --out <dir> keeps the sets there (e.g. to compare `bulwark scan` output before and after a change).
const outFlag = process.argv.indexOf('--out');
const work =
  outFlag >= 0 ? path.resolve(process.argv[outFlag + 1]!) : path.join(tmpdir(), `bulwark-bench-speed-${process.pid}`);
const solhintConfig = path.join(work, 'solhint.json');
mkdirSync(work, { recursive: true });
writeFileSync(solhintConfig, JSON.stringify({ extends: 'solhint:recommended' }));

const sets: { name: string; folder: string; files: string[] }[] = [];
for (const [name, size] of [
  ['small', 150],
  ['large', 350],
] as const) {
  if (!wanted.has(name)) continue;
  const folder = path.join(work, name);
  const built = buildSet(size, folder);
  const spread = [...built.versions].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }));
  console.log(`${name}: ${built.files.length} flattened files; solc ${spread.map(([v, n]) => `${v}×${n}`).join(', ')}`);
  sets.push({ name: `audited-flattened ${name}`, folder, files: built.files });
}
if (wanted.has('solidifi')) {
  if (solidifiAvailable()) {
    const files = readdirSync(solidifiRoot, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.sol'))
      .sort()
      .map((f) => path.join(solidifiRoot, f));
    sets.push({ name: 'SolidiFI', folder: solidifiRoot, files });
  } else {
    console.log(`SolidiFI is missing (${solidifiRoot}; set SOLIDIFI_DIR): its row is skipped.`);
  }
}

// Fetch the compilers the sets need once, so no timed run waits on the registry.
const needed = new Set(
  sets
    .flatMap((s) => s.files.flatMap((f) => findSolidityPragmas(readFileSync(f, 'utf8'))))
    .filter((p) => parseVersion(p)),
);
const missing = [...needed].filter((v) => !bundledSolcVersions.includes(v) && !cachedSolcVersions().includes(v));
if (missing.length > 0) {
  console.log(`Fetching solc ${missing.join(', ')} before timing…`);
  execFileSync(bulwark, ['compilers', 'fetch', ...missing], { stdio: 'inherit' });
}

for (const set of runs > 0 ? sets : []) {
  // Other work on the machine stretches both tools' wall time, and the parallel one more: say how busy it was.
  const load = loadavg()[0]!.toFixed(1);
  const bulwarkRuns: Measured[] = [];
  const solhintRuns: Measured[] = [];
  let status = '';
  let findingsDigest: string | undefined;
  for (let i = 0; i < runs; i++) {
    const scan = await measure(bulwark, ['scan', set.folder, '--format', 'json', '--fail-on', 'high'], set.folder);
    // 2 also means "a file could not be analysed at all"; the report covers the rest.
    if (![0, 1, 2].includes(scan.status) || !scan.stdout)
      throw new Error(`bulwark scan failed (exit code ${scan.status})`);
    bulwarkRuns.push(scan);
    const report = JSON.parse(scan.stdout) as { files: never; findings: { fingerprint: string }[] };
    status = fileStatusShares(report.files).text;
    // A speed-up must not change what the scan finds, nor its order: every run gives the same list,
    // and the row shows its digest, to compare with rows of earlier code.
    const digest = `${hashOf(report.findings.map((f) => f.fingerprint).join('\n')).slice(0, 12)}, ${report.findings.length} findings`;
    if (findingsDigest !== undefined && digest !== findingsDigest)
      throw new Error(`${set.name}: run ${i + 1} found ${digest}, run 1 ${findingsDigest}`);
    findingsDigest = digest;
    // solhint only takes paths below its working directory.
    const lint = await measure(
      solhint,
      ['--config', solhintConfig, '--disc', '--noPoster', ...set.files.map((f) => path.relative(set.folder, f))],
      set.folder,
    );
    solhintRuns.push(lint);
    console.log(
      `  ${set.name} run ${i + 1}: bulwark ${(scan.ms / 1000).toFixed(1)} s ${scan.peakMb.toFixed(0)} MB (${scan.threads} threads); ` +
        `solhint ${(lint.ms / 1000).toFixed(1)} s ${lint.peakMb.toFixed(0)} MB`,
    );
  }
  const ours = { ms: median(bulwarkRuns.map((r) => r.ms)), mb: median(bulwarkRuns.map((r) => r.peakMb)) };
  const theirs = { ms: median(solhintRuns.map((r) => r.ms)), mb: median(solhintRuns.map((r) => r.peakMb)) };
  const processes = Math.max(...bulwarkRuns.map((r) => r.processes));
  const threads = Math.max(...bulwarkRuns.map((r) => r.threads));
  row(
    `${set.name}, ${set.files.length} files: scan wall, start-up included (${status}; findings ${findingsDigest}; load average ${load} on ${availableParallelism()} cores)`,
    `${(ours.ms / 1000).toFixed(1)} s (median of ${runs})`,
    `solhint 6.2.4 same files: ${(theirs.ms / 1000).toFixed(1)} s`,
    `${(ours.ms / theirs.ms).toFixed(2)} (target ≤ 0.5)`,
  );
  row(
    `${set.name}, ${set.files.length} files: peak RSS of the process tree (${processes} process, ≤ ${threads} threads)`,
    `${ours.mb.toFixed(0)} MB (median of ${runs})`,
    `solhint 6.2.4 same files: ${theirs.mb.toFixed(0)} MB`,
    `${(ours.mb / theirs.mb).toFixed(2)} (target ≤ 1.5)`,
  );
}
if (outFlag < 0) rmSync(work, { recursive: true, force: true });

if (append)
  recordBenchmarkRows({ name: 'scan-speed', title: 'Scan speed and memory (`npm run bench:scan-speed`)' }, rows);
else console.log('--no-append: rows printed only.');
