/**
 * In-process run over audited npm packages (parse tree only): high and medium findings per
 * detector, and precision from the reviewed verdicts in bench/scan/reviewed/.
 * Usage: npx tsx bench/scan/quick-audited.ts [package ...] [--era old|modern] [--detector id]
 *          [--show N] [--unreviewed N] [--write-pending]
 * Each package is loaded as one program, so inheritance across its files resolves.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Finding } from '@bulwark/core';
import { analyze, parseInput } from '../../packages/scanner/src/analyze.ts';
import { allDetectors } from '../../packages/scanner/src/detectors/index.ts';
import { auditedPackages, solidityFiles } from './audited.ts';
import { emptyTally, loadVerdicts, precision, type Tally, tally, writePending } from './reviewed.ts';

const repo = path.resolve(import.meta.dirname, '../..');
const args = process.argv.slice(2);
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const valued = ['--detector', '--show', '--unreviewed', '--era'];
const detectorArg = option('--detector');
const era = option('--era');
const show = Number(option('--show') ?? 0);
const showUnreviewed = Number(option('--unreviewed') ?? 0);
const chosen = args.filter((a, i) => !a.startsWith('--') && !valued.includes(args[i - 1] ?? ''));
const detectors = allDetectors.filter((d) => !detectorArg || d.id === detectorArg);
const perEra = new Map<string, Map<string, Tally>>();
let exactPins = 0;
for (const [name, pkg] of Object.entries(auditedPackages)) {
  if (chosen.length > 0 && !chosen.includes(name)) continue;
  if (era && pkg.era !== era) continue;
  const targets = solidityFiles(path.join(repo, pkg.folder)).map((file) => {
    const content = readFileSync(file, 'utf8');
    if (
      /pragma\s+solidity\s*=?\s*0\.(4\.(?!26)|5\.(?!1[67])|6\.(?!12)|7\.(?!6)|8\.(?!(10|20|24|30)\b))\d+\s*;/.test(
        content,
      )
    )
      exactPins++;
    return parseInput(file, content);
  });
  const { findings, detectorErrors } = analyze({
    targets,
    detectors,
    displayPath: (file) => path.relative(repo, file),
  });
  const serious = findings.filter((f) => f.impact === 'high' || f.impact === 'medium');
  const verdicts = loadVerdicts(name);
  const byDetector = tally(serious, verdicts);
  tally(serious, verdicts, perEra.get(pkg.era) ?? perEra.set(pkg.era, new Map()).get(pkg.era));
  const all = [...byDetector.values()].reduce((sum, t) => {
    for (const key of Object.keys(sum) as (keyof Tally)[]) sum[key] += t[key];
    return sum;
  }, emptyTally());
  console.log(
    `${name} (${pkg.era}): ${targets.length} files, ${serious.length} high/medium (${all.real} real, ${all.deployment} deployment, ${all.noise} noise, ${all.unreviewed} unreviewed) ${JSON.stringify(Object.fromEntries([...byDetector].map(([id, t]) => [id, t.findings])))}`,
  );
  for (const e of detectorErrors) console.log(`  detector error ${e.detector}: ${e.message}`);
  const list = (fs: Finding[]) => {
    for (const f of fs)
      console.log(
        `  ${f.impact} ${f.detector} ${f.location.file}:${f.location.startLine} ${f.fingerprint} ${f.message}`,
      );
  };
  list(serious.slice(0, show));
  list(
    serious
      .filter((f) => !verdicts[f.fingerprint] || !['real', 'noise'].includes(verdicts[f.fingerprint].verdict))
      .slice(0, showUnreviewed),
  );
  if (args.includes('--write-pending')) writePending(name, serious);
}
console.log(`\n${exactPins} files pin a compiler that is not bundled (analysed from the parse tree here).`);
const columns = ['findings', 'real', 'deployment', 'noise', 'unreviewed'] as const;
const line = (label: string, t: Tally) =>
  console.log(`  ${label.padEnd(34)} ${columns.map((k) => String(t[k]).padStart(6)).join(' ')}  ${precision(t)}`);
const overall = emptyTally();
for (const [name, byDetector] of perEra) {
  const total = emptyTally();
  console.log(`\n${name} corpus: detector  ${columns.join('  ')}  precision strict / advisory`);
  for (const [id, t] of [...byDetector].sort()) {
    for (const key of columns) {
      total[key] += t[key];
      overall[key] += t[key];
    }
    line(id, t);
  }
  line('all', total);
}
console.log('');
line('both corpora', overall);
