import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Finding } from '@bulwark/core';

/** ../shared/datasets/solidifi beside the checkout; SOLIDIFI_DIR overrides it (e.g. from a git worktree). */
export const solidifiRoot = process.env.SOLIDIFI_DIR
  ? path.resolve(process.env.SOLIDIFI_DIR, 'buggy_contracts')
  : path.resolve(import.meta.dirname, '../../../shared/datasets/solidifi/buggy_contracts');

/** Which detectors count as "a finding of the matching kind" for each SolidiFI bug type. */
export const bugTypeDetectors: Record<string, string[]> = {
  'Re-entrancy': ['reentrancy-eth', 'reentrancy-no-eth', 'reentrancy-cross-function', 'reentrancy-send'],
  'Timestamp-Dependency': ['timestamp-dependence'],
  'Unchecked-Send': ['unprotected-ether-withdrawal'],
  'Unhandled-Exceptions': ['unchecked-lowlevel', 'unchecked-send', 'unused-return'],
  TOD: ['transaction-order-dependence', 'erc20-approve-race'],
  'Overflow-Underflow': ['integer-overflow', 'unchecked-arithmetic'],
  'tx.origin': ['tx-origin-auth'],
};

export type InjectedBug = { file: string; type: string; loc: number; length: number };

export function solidifiAvailable(): boolean {
  return existsSync(solidifiRoot);
}

/** Every contract of the benchmark with its injected bugs. */
export function loadSolidifi(): { file: string; type: string; bugs: InjectedBug[] }[] {
  const out: { file: string; type: string; bugs: InjectedBug[] }[] = [];
  for (const type of readdirSync(solidifiRoot).sort()) {
    const folder = path.join(solidifiRoot, type);
    for (const name of readdirSync(folder).filter((n) => n.endsWith('.sol'))) {
      const index = name.match(/buggy_(\d+)\.sol/)?.[1];
      const log = path.join(folder, `BugLog_${index}.csv`);
      const bugs = readFileSync(log, 'utf8')
        .split(/\r?\n/)
        .slice(1)
        .filter((line) => line.trim())
        .map((line) => {
          const [loc, length] = line.split(',');
          return { file: path.join(folder, name), type, loc: Number(loc), length: Number(length) };
        });
      out.push({ file: path.join(folder, name), type, bugs });
    }
  }
  return out;
}

export type Score = {
  perType: Record<string, { injected: number; missed: number }>;
  /** Per detector: findings on an injected bug's lines (of any type) vs elsewhere. */
  perDetector: Record<string, { onBug: number; elsewhere: number }>;
  missedSamples: InjectedBug[];
};

/** SolidiFI's rule: a bug is found when a finding of the matching kind has a line in [loc, loc+length). */
export function score(
  contracts: { file: string; type: string; bugs: InjectedBug[] }[],
  findingsByFile: Map<string, Finding[]>,
): Score {
  const result: Score = { perType: {}, perDetector: {}, missedSamples: [] };
  for (const contract of contracts) {
    const findings = findingsByFile.get(contract.file) ?? [];
    result.perType[contract.type] ??= { injected: 0, missed: 0 };
    const tally = result.perType[contract.type];
    const matching = new Set(bugTypeDetectors[contract.type]);
    for (const bug of contract.bugs) {
      tally.injected++;
      const hit = findings.some((f) => matching.has(f.detector) && lineOverlaps(f, bug.loc, bug.loc + bug.length));
      if (!hit) {
        tally.missed++;
        if (result.missedSamples.length < 400) result.missedSamples.push(bug);
      }
    }
    for (const finding of findings) {
      result.perDetector[finding.detector] ??= { onBug: 0, elsewhere: 0 };
      const entry = result.perDetector[finding.detector];
      if (contract.bugs.some((bug) => lineOverlaps(finding, bug.loc, bug.loc + bug.length))) entry.onBug++;
      else entry.elsewhere++;
    }
  }
  return result;
}

function lineOverlaps(finding: Finding, from: number, to: number): boolean {
  return finding.location.startLine < to && finding.location.endLine >= from;
}
