/**
 * In-process SolidiFI score without compiling (parse tree only): a fast loop for detector work.
 * Usage: npx tsx bench/scan/quick.ts [bug type] [--detector id] [--missed N]
 */
import { readFileSync } from 'node:fs';
import type { Finding } from '@bulwark/core';
import { analyze, parseInput } from '../../packages/scanner/src/analyze.ts';
import { allDetectors } from '../../packages/scanner/src/detectors/index.ts';
import { loadSolidifi, score, solidifiAvailable } from './solidifi.ts';

if (!solidifiAvailable()) {
  console.error('SolidiFI not found at ../shared/datasets/solidifi: nothing to score.');
  process.exit(0);
}
const args = process.argv.slice(2);
const onlyType = args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a));
const missedIndex = args.indexOf('--missed');
const showMissed = missedIndex >= 0 ? Number(args[missedIndex + 1] ?? 10) : 0;
const contracts = loadSolidifi().filter((c) => !onlyType || c.type === onlyType);
const findingsByFile = new Map<string, Finding[]>();
for (const contract of contracts) {
  const input = parseInput(contract.file, readFileSync(contract.file, 'utf8'));
  findingsByFile.set(contract.file, analyze({ targets: [input], detectors: allDetectors }).findings);
}
const result = score(contracts, findingsByFile);
for (const [type, t] of Object.entries(result.perType)) {
  console.log(
    `${type.padEnd(22)} injected ${String(t.injected).padStart(5)}  missed ${String(t.missed).padStart(5)}  (${((100 * t.missed) / t.injected).toFixed(1)}%)`,
  );
}
// High and medium only: a finding on an injected bug's lines counts as a hit, elsewhere as noise
// (the host contracts are real deployed code, so "elsewhere" over-counts noise a little).
const serious = new Map(
  [...findingsByFile].map(([file, fs]) => [file, fs.filter((f) => f.impact === 'high' || f.impact === 'medium')]),
);
const seriousResult = score(contracts, serious);
console.log('\ndetector                         on-bug  elsewhere   high/medium: on-bug elsewhere precision');
for (const [id, d] of Object.entries(result.perDetector).sort()) {
  const s = seriousResult.perDetector[id] ?? { onBug: 0, elsewhere: 0 };
  const precision = s.onBug + s.elsewhere === 0 ? '—' : `${((100 * s.onBug) / (s.onBug + s.elsewhere)).toFixed(0)}%`;
  console.log(
    `${id.padEnd(32)} ${String(d.onBug).padStart(6)} ${String(d.elsewhere).padStart(10)}   ${String(s.onBug).padStart(18)} ${String(s.elsewhere).padStart(9)} ${precision.padStart(9)}`,
  );
}
const totals = Object.values(seriousResult.perDetector).reduce(
  (t, d) => ({ onBug: t.onBug + d.onBug, elsewhere: t.elsewhere + d.elsewhere }),
  { onBug: 0, elsewhere: 0 },
);
console.log(
  `${'all high/medium'.padEnd(32)} ${' '.repeat(17)}   ${String(totals.onBug).padStart(18)} ${String(totals.elsewhere).padStart(9)} ${`${((100 * totals.onBug) / (totals.onBug + totals.elsewhere)).toFixed(0)}%`.padStart(9)}`,
);
for (const bug of result.missedSamples.slice(0, showMissed)) {
  const lines = readFileSync(bug.file, 'utf8')
    .split('\n')
    .slice(bug.loc - 1, bug.loc - 1 + bug.length);
  console.log(`\n--- missed ${bug.type} ${bug.file.split('buggy_contracts/')[1]}:${bug.loc}\n${lines.join('\n')}`);
}
