/**
 * In-process run over audited npm packages (parse tree only): high and medium findings per detector.
 * Usage: npx tsx bench/scan/quick-audited.ts [package ...] [--detector id] [--show N]
 * Each package is loaded as one program, so inheritance across its files resolves.
 */
import { readFileSync } from 'node:fs';
import { analyze, parseInput } from '../../packages/scanner/src/analyze.ts';
import { allDetectors } from '../../packages/scanner/src/detectors/index.ts';
import { auditedPackages, solidityFiles } from './audited.ts';

const args = process.argv.slice(2);
const detectorArg = args.includes('--detector') ? args[args.indexOf('--detector') + 1] : undefined;
const show = args.includes('--show') ? Number(args[args.indexOf('--show') + 1]) : 0;
const chosen = args.filter((a, i) => !a.startsWith('--') && !['--detector', '--show'].includes(args[i - 1] ?? ''));
const detectors = allDetectors.filter((d) => !detectorArg || d.id === detectorArg);
for (const [name, folder] of Object.entries(auditedPackages)) {
  if (chosen.length > 0 && !chosen.includes(name)) continue;
  const targets = solidityFiles(folder).map((file) => parseInput(file, readFileSync(file, 'utf8')));
  const { findings, detectorErrors } = analyze({ targets, detectors });
  const serious = findings.filter((f) => f.impact === 'high' || f.impact === 'medium');
  const byDetector = new Map<string, number>();
  for (const f of serious) byDetector.set(f.detector, (byDetector.get(f.detector) ?? 0) + 1);
  console.log(
    `${name}: ${targets.length} files, ${serious.length} high/medium findings ${JSON.stringify(Object.fromEntries(byDetector))}`,
  );
  for (const e of detectorErrors) console.log(`  detector error ${e.detector}: ${e.message}`);
  for (const f of serious.slice(0, show))
    console.log(`  ${f.impact} ${f.detector} ${f.location.file}:${f.location.startLine} ${f.message}`);
}
