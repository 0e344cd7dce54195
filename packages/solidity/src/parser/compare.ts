/**
 * Differential check of parseFast against @solidity-parser/parser on every corpus file (all of SolidiFI,
 * unlike the sampled test), with timings. Run: npx tsx packages/solidity/src/parser/compare.ts [--show N]
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parse } from '@solidity-parser/parser';
import { PACKAGE_DIRS, SOLIDIFI_DIR, solidityFiles } from './corpus.ts';
import { firstDifference } from './diff.ts';
import { parseFast } from './index.ts';

const showArg = process.argv.indexOf('--show');
const show = showArg >= 0 ? Number(process.argv[showArg + 1]) : 10;
const cpuMs = () => process.cpuUsage().user / 1000;

interface Tally {
  files: number;
  identical: number;
  different: number;
  fastOnlyErrors: number;
  referenceErrors: number;
  fastAcceptsInvalid: number;
  refWall: number;
  fastWall: number;
  refCpu: number;
  fastCpu: number;
}

const tally = (): Tally => ({
  files: 0,
  identical: 0,
  different: 0,
  fastOnlyErrors: 0,
  referenceErrors: 0,
  fastAcceptsInvalid: 0,
  refWall: 0,
  fastWall: 0,
  refCpu: 0,
  fastCpu: 0,
});

const groups: [string, string[]][] = [
  ['SolidiFI', solidityFiles(SOLIDIFI_DIR)],
  ['packages', PACKAGE_DIRS.flatMap(solidityFiles)],
];
const reports: string[] = [];
const totals = tally();
const results: [string, Tally][] = [];

for (const [group, files] of groups) {
  const t = tally();
  for (const file of files) {
    const source = readFileSync(file, 'utf8');
    const name = relative(process.cwd(), file);
    t.files++;
    let wall = performance.now();
    let cpu = cpuMs();
    let reference: unknown;
    try {
      reference = parse(source, { loc: true, range: true });
    } catch {
      reference = undefined;
    }
    t.refWall += performance.now() - wall;
    t.refCpu += cpuMs() - cpu;
    wall = performance.now();
    cpu = cpuMs();
    const fast = parseFast(source);
    t.fastWall += performance.now() - wall;
    t.fastCpu += cpuMs() - cpu;

    if (reference === undefined) {
      t.referenceErrors++;
      if (fast.ast) {
        t.fastAcceptsInvalid++;
        reports.push(`accepted, reference rejects: ${name}`);
      }
    } else if (!fast.ast) {
      t.fastOnlyErrors++;
      const e = fast.errors[0];
      reports.push(`fast error ${name}:${e.line}:${e.column} ${e.message}`);
    } else {
      const diff = firstDifference(fast.ast, reference);
      if (diff) {
        t.different++;
        reports.push(`differs ${name}: ${diff}`);
      } else t.identical++;
    }
  }
  results.push([group, t]);
  for (const key of Object.keys(t) as (keyof Tally)[]) totals[key] += t[key];
}
results.push(['total', totals]);

for (const line of reports.slice(0, show)) console.log(line);
if (reports.length > show) console.log(`... ${reports.length - show} more`);
for (const [group, t] of results) {
  const comparable = t.files - t.referenceErrors;
  console.log(
    `${group.padEnd(9)} identical ${t.identical}/${comparable} (different ${t.different}, fast-only errors ${t.fastOnlyErrors}; ` +
      `reference rejects ${t.referenceErrors}, fast accepts ${t.fastAcceptsInvalid} of those) | ` +
      `wall ${t.refWall.toFixed(0)} / ${t.fastWall.toFixed(0)} ms = ${(t.refWall / t.fastWall).toFixed(0)}x | ` +
      `cpu ${t.refCpu.toFixed(0)} / ${t.fastCpu.toFixed(0)} ms = ${(t.refCpu / t.fastCpu).toFixed(0)}x`,
  );
}
