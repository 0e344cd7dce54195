/**
 * npm run bench:scan — the scanner's figures, each against a peer or limit measured in the same run:
 *  1. SolidiFI recall per bug type (the benchmark's rule), and per detector on-bug vs elsewhere;
 *  2. wall time of `bulwark scan` over all SolidiFI files vs solhint on the same files (median of N);
 *  3. analysis time vs the compile time it needs (one thread, same files);
 *  4. high/medium findings on audited npm code, listed for review;
 *  and for every corpus the share of files analysed fully, degraded and failed.
 * Appends rows to BENCHMARKS.md and writes details to bench/.out/. Needs ../shared/datasets/solidifi
 * (or SOLIDIFI_DIR) for 1–3 and says so when it is missing. Flags: --audited-only, --write-pending,
 * --no-append (print the rows without writing BENCHMARKS.md), --no-timing (SolidiFI recall and precision from one
 * scan; no solhint runs, no time rows: for checking a detector change on a busy machine).
 */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Finding } from '@bulwark/core';
import { compileFiles } from '@bulwark/solidity';
import { analyze, parseInput } from '../../packages/scanner/src/analyze.ts';
import { allDetectors } from '../../packages/scanner/src/detectors/index.ts';
import { benchmarkRowCollector, recordBenchmarkRows } from '../benchmarksFile.ts';
import { auditedPackages } from './audited.ts';
import { fileStatusShares } from './fileStatus.ts';
import { emptyTally, loadVerdicts, precision, type Tally, tally, writePending } from './reviewed.ts';
import { bugTypeDetectors, loadSolidifi, score, solidifiAvailable, solidifiRoot } from './solidifi.ts';

const repo = path.resolve(import.meta.dirname, '../..');
const out = path.join(repo, 'bench/.out');
mkdirSync(out, { recursive: true });
const bulwark = path.join(repo, 'node_modules/.bin/bulwark');
const solhint = path.join(repo, 'node_modules/.bin/solhint');
const runs = Number(process.env.BENCH_RUNS ?? 3);
const { rows, row } = benchmarkRowCollector();
/** One row per corpus: the share of files analysed fully, degraded and failed (target ≥ 99% analysed). */
const statusRow = (corpus: string, files: { file: string; status: string }[]) => {
  const shares = fileStatusShares(files);
  row(
    `${corpus} file status`,
    shares.text,
    'target ≥ 99% full or degraded',
    `${(100 * shares.analysed).toFixed(1)}% analysed`,
  );
};
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function timed(command: string, args: string[], cwd = repo): { ms: number; stdout: string; status: number | null } {
  const started = performance.now();
  const child = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { ms: performance.now() - started, stdout: child.stdout, status: child.status };
}

const onlyAudited = process.argv.includes('--audited-only');
const timing = !process.argv.includes('--no-timing');
if (onlyAudited) {
  console.log('--audited-only: SolidiFI figures skipped.');
} else if (!solidifiAvailable()) {
  console.log(
    `SolidiFI is missing (${solidifiRoot}): recall and speed figures skipped; only audited-code figures run.`,
  );
} else {
  const contracts = loadSolidifi();
  const files = contracts.map((c) => c.file);
  console.log(
    `SolidiFI: ${files.length} files, ${contracts.reduce((n, c) => n + c.bugs.length, 0)} injected bugs; ${timing ? `${runs} timed runs each` : 'one scan, not timed'}`,
  );

  // 1 + 2: the real CLI, timed beside solhint, alternating so drift hits both.
  const solhintConfig = path.join(tmpdir(), 'bulwark-bench-solhint.json');
  writeFileSync(solhintConfig, JSON.stringify({ extends: 'solhint:recommended' }));
  const ours: number[] = [];
  const theirs: number[] = [];
  let result: { findings: Finding[]; files: { file: string; status: string }[] } | undefined;
  for (let i = 0; i < (timing ? runs : 1); i++) {
    const scan = timed(bulwark, ['scan', solidifiRoot, '--format', 'json', '--fail-on', 'high']);
    if (scan.status !== 0 && scan.status !== 1) throw new Error(`bulwark scan failed with ${scan.status}`);
    ours.push(scan.ms);
    result = JSON.parse(scan.stdout);
    if (!timing) break;
    // solhint only takes paths below its working directory.
    const lint = timed(
      solhint,
      ['--config', solhintConfig, '--disc', '--noPoster', ...files.map((f) => path.relative(solidifiRoot, f))],
      solidifiRoot,
    );
    theirs.push(lint.ms);
    console.log(`  run ${i + 1}: bulwark ${(scan.ms / 1000).toFixed(1)} s, solhint ${(lint.ms / 1000).toFixed(1)} s`);
  }
  const findingsByFile = new Map<string, Finding[]>();
  for (const finding of result!.findings) {
    const file = path.resolve(repo, finding.location.file);
    findingsByFile.set(file, [...(findingsByFile.get(file) ?? []), finding]);
  }
  const degraded = result!.files.filter((f) => f.status !== 'full').length;
  statusRow('SolidiFI', result!.files);
  const scored = score(contracts, findingsByFile);
  for (const [type, t] of Object.entries(scored.perType)) {
    const missed = t.missed / t.injected;
    row(
      `SolidiFI ${type} (${t.injected} bugs)`,
      `missed ${t.missed} (${(100 * missed).toFixed(1)}%)`,
      'target ≤ 5% missed',
      `${(missed / 0.05).toFixed(2)}× target`,
    );
  }
  const details = Object.entries(scored.perDetector)
    .sort()
    .map(([id, d]) => `| ${id} | ${d.onBug} | ${d.elsewhere} |`);
  // Per detector that SolidiFI scores: the share of its findings that land on an injected bug.
  const solidifiDetectors = new Set(Object.values(bugTypeDetectors).flat());
  for (const [id, d] of Object.entries(scored.perDetector).sort()) {
    if (!solidifiDetectors.has(id)) continue;
    const total = d.onBug + d.elsewhere;
    row(
      `SolidiFI \`${id}\` findings`,
      `${d.onBug} of ${total} on an injected bug's lines`,
      'target ≥ 50% (unannotated real issues count as misses)',
      `${((100 * d.onBug) / total).toFixed(0)}%`,
    );
  }
  writeFileSync(
    path.join(out, 'solidifi-detectors.md'),
    `| detector | findings on an injected bug's lines | findings elsewhere |\n|---|---|---|\n${details.join('\n')}\n`,
  );
  if (!timing) console.log('--no-timing: wall-time and analysis-cost rows skipped.');
  const medianOurs = median(ours);
  const medianTheirs = median(theirs);
  if (timing)
    row(
      `SolidiFI scan wall time, ${files.length} files, compile included (${degraded} degraded)`,
      `${(medianOurs / 1000).toFixed(1)} s (median of ${runs})`,
      `solhint 6.2.4 same files: ${(medianTheirs / 1000).toFixed(1)} s`,
      `${(medianOurs / medianTheirs).toFixed(2)} (target ≤ 0.5)`,
    );

  // 3: where the time goes, one thread, same files.
  let compileMs = 0;
  let parseMs = 0;
  let analyzeMs = 0;
  for (const file of timing ? files : []) {
    let started = performance.now();
    const compiled = await compileFiles([file], { root: path.dirname(file), ast: false });
    compileMs += performance.now() - started;
    started = performance.now();
    const input = parseInput(file, compiled.files[0].content, compiled.files[0].solcVersion);
    parseMs += performance.now() - started;
    started = performance.now();
    analyze({ targets: [input], detectors: allDetectors });
    analyzeMs += performance.now() - started;
  }
  if (timing)
    row(
      'SolidiFI analysis cost (one thread): detectors + IR',
      `${(analyzeMs / 1000).toFixed(1)} s (parse ${(parseMs / 1000).toFixed(1)} s)`,
      `solc checking the same files: ${(compileMs / 1000).toFixed(1)} s`,
      `${(analyzeMs / compileMs).toFixed(2)} (analysis/compile; parse+analysis ${((analyzeMs + parseMs) / compileMs).toFixed(2)})`,
    );
}

// 4: false alarms on audited code through the real CLI: production code only (mocks and tests are
// written to be unsafe, e.g. Aave's SelfDestructTransfer mock).
// Per process: benches run from several checkouts at once share the temp folder.
const auditedConfig = path.join(tmpdir(), `bulwark-bench-audited-${process.pid}.json`);
writeFileSync(
  auditedConfig,
  JSON.stringify({ scan: { ignorePaths: ['**/mocks/**', '**/test/**', '**/tests/**', '**/examples/**'] } }),
);
const review: string[] = [];
let totalHigh = 0;
let totalMedium = 0;
const perEra = new Map<string, Tally>();
const perEraDetector = new Map<string, Map<string, Tally>>();
for (const [name, { folder, era }] of Object.entries(auditedPackages)) {
  const absolute = path.join(repo, folder);
  if (!existsSync(absolute)) {
    console.log(`${name} is not installed; run npm ci.`);
    continue;
  }
  const scan = timed(bulwark, ['scan', absolute, '--format', 'json', '--fail-on', 'high', '--config', auditedConfig]);
  const parsed = JSON.parse(scan.stdout) as { findings: Finding[]; files: { file: string; status: string }[] };
  const serious = parsed.findings.filter((f) => f.impact === 'high' || f.impact === 'medium');
  const high = serious.filter((f) => f.impact === 'high').length;
  totalHigh += high;
  totalMedium += serious.length - high;
  const degraded = parsed.files.filter((f) => f.status !== 'full').length;
  statusRow(name, parsed.files);
  // --write-pending adds findings with no verdict to bench/scan/reviewed/ for review.
  if (process.argv.includes('--write-pending')) writePending(name, serious);
  const eraTally = perEra.get(era) ?? emptyTally();
  const verdicts = loadVerdicts(name);
  for (const t of tally(serious, verdicts).values())
    for (const key of Object.keys(eraTally) as (keyof Tally)[]) eraTally[key] += t[key];
  perEra.set(era, eraTally);
  perEraDetector.set(era, tally(serious, verdicts, perEraDetector.get(era)));
  row(
    `${name} (${parsed.files.length} files without mocks/tests, ${degraded} degraded)`,
    `${high} high, ${serious.length - high} medium`,
    'target 0 indefensible high',
    '—',
  );
  review.push(
    `## ${name}\n`,
    ...serious.map((f) => `- ${f.impact} \`${f.detector}\` ${f.location.file}:${f.location.startLine} — ${f.message}`),
    '',
  );
}
writeFileSync(path.join(out, 'audited-findings.md'), `${review.join('\n')}\n`);
// Precision from the reviewed verdicts in bench/scan/reviewed/ (strict: code fixes only; advisory:
// deployment choices a reviewer requires count as real). Unreviewed findings are listed, not guessed.
for (const [era, t] of perEra) {
  row(
    `audited ${era} code, high/medium findings (${t.unreviewed} not yet reviewed)`,
    `${t.real} real, ${t.deployment} deployment, ${t.noise} noise`,
    'target precision ≥ 50%',
    `${precision(t)} (strict / advisory)`,
  );
  for (const [id, d] of [...(perEraDetector.get(era) ?? new Map<string, Tally>())].sort())
    row(
      `audited ${era} code, \`${id}\` high/medium (${d.unreviewed} not yet reviewed)`,
      `${d.real} real, ${d.deployment} deployment, ${d.noise} noise`,
      'target precision ≥ 50%',
      `${precision(d)} (strict / advisory)`,
    );
}
console.log(`Audited code: ${totalHigh} high, ${totalMedium} medium; list in bench/.out/audited-findings.md`);

if (process.argv.includes('--no-append')) console.log('--no-append: BENCHMARKS.md left as it is.');
else recordBenchmarkRows({ name: 'scan', title: 'Scan (`npm run bench:scan`)' }, rows);
