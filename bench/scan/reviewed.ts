import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Finding } from '@bulwark/core';

/**
 * Reviewed verdicts on high/medium findings in audited code, one JSON file per package in
 * bench/scan/reviewed/: fingerprint → verdict. "real": a reviewer would fix it before deploying;
 * "noise": they would not. Precision is computed from these, never typed in by hand.
 */
export type Verdict = { verdict: 'real' | 'noise'; detector: string; where: string; reason: string };

export const reviewedFolder = path.resolve(import.meta.dirname, 'reviewed');

const slug = (pkg: string) => pkg.replace(/^@/, '').replace(/[/@]/g, '-');

export function loadVerdicts(pkg: string): Record<string, Verdict> {
  const file = path.join(reviewedFolder, `${slug(pkg)}.json`);
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
}

/** Every verdict of every package, for findings whose package is not known. */
export function loadAllVerdicts(): Record<string, Verdict> {
  const all: Record<string, Verdict> = {};
  for (const name of readdirSync(reviewedFolder).filter((n) => n.endsWith('.json')))
    Object.assign(all, JSON.parse(readFileSync(path.join(reviewedFolder, name), 'utf8')));
  return all;
}

/** Adds findings with no verdict yet as `"verdict": "?"` for a reviewer to fill in. */
export function writePending(pkg: string, findings: Finding[]): number {
  const file = path.join(reviewedFolder, `${slug(pkg)}.json`);
  const verdicts = loadVerdicts(pkg) as Record<string, Verdict | (Omit<Verdict, 'verdict'> & { verdict: '?' })>;
  let added = 0;
  for (const f of findings) {
    if (verdicts[f.fingerprint]) continue;
    verdicts[f.fingerprint] = {
      verdict: '?',
      detector: f.detector,
      where: `${f.location.file}:${f.location.startLine}`,
      reason: f.message,
    };
    added++;
  }
  writeFileSync(file, `${JSON.stringify(verdicts, null, 2)}\n`);
  return added;
}

export type Tally = { findings: number; real: number; noise: number; unreviewed: number };

export function tally(findings: Finding[], verdicts: Record<string, Verdict>, into = new Map<string, Tally>()) {
  for (const f of findings) {
    const entry = into.get(f.detector) ?? { findings: 0, real: 0, noise: 0, unreviewed: 0 };
    entry.findings++;
    const verdict = verdicts[f.fingerprint]?.verdict;
    if (verdict === 'real') entry.real++;
    else if (verdict === 'noise') entry.noise++;
    else entry.unreviewed++;
    into.set(f.detector, entry);
  }
  return into;
}

/** Reviewed precision as a percentage, or "—" when nothing is reviewed. */
export function precision(t: Tally): string {
  const reviewed = t.real + t.noise;
  return reviewed === 0 ? '—' : `${((100 * t.real) / reviewed).toFixed(0)}%`;
}
