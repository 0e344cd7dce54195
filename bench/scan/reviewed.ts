import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Finding } from '@bulwark/core';

/**
 * Reviewed verdicts on high/medium findings in audited code, one JSON file per package in
 * bench/scan/reviewed/: fingerprint → verdict. "real": a reviewer would fix the code before
 * deploying; "deployment": the code is as meant, but a reviewer would require a deployment choice
 * before going live (a single key holding upgrade or pause power must be a multisig or timelock,
 * advisory SBD-08); "noise": neither. Precision is computed from these, never typed in by hand:
 * strict counts only "real", advisory counts "deployment" as real too.
 */
export type Verdict = { verdict: 'real' | 'deployment' | 'noise'; detector: string; where: string; reason: string };

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

export type Tally = { findings: number; real: number; deployment: number; noise: number; unreviewed: number };

export const emptyTally = (): Tally => ({ findings: 0, real: 0, deployment: 0, noise: 0, unreviewed: 0 });

export function tally(findings: Finding[], verdicts: Record<string, Verdict>, into = new Map<string, Tally>()) {
  for (const f of findings) {
    const entry = into.get(f.detector) ?? emptyTally();
    entry.findings++;
    const verdict = verdicts[f.fingerprint]?.verdict;
    if (verdict === 'real' || verdict === 'deployment' || verdict === 'noise') entry[verdict]++;
    else entry.unreviewed++;
    into.set(f.detector, entry);
  }
  return into;
}

/** Reviewed precision as a percentage, strict / advisory, or "—" when nothing is reviewed. */
export function precision(t: Tally): string {
  const reviewed = t.real + t.deployment + t.noise;
  if (reviewed === 0) return '—';
  const percent = (n: number) => `${((100 * n) / reviewed).toFixed(0)}%`;
  return `${percent(t.real)} / ${percent(t.real + t.deployment)}`;
}
