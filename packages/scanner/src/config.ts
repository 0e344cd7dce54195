import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { closest, type Impact, InputError, isImpact } from '@bulwark/core';

/** The `scan` section of bulwark.config.json. */
export type ScanConfig = {
  /** Run only these detectors. */
  detectors?: string[] | undefined;
  exclude?: string[] | undefined;
  /** Globs of files not to scan, relative to the working directory (`test/**`, `**\/mocks/**`). */
  ignorePaths?: string[] | undefined;
  /** Accepted findings: every given field must match. A reason is required. */
  suppress?: { detector?: string; file?: string; fingerprint?: string; reason: string }[] | undefined;
  failOn?: Impact | undefined;
};

const configFileName = 'bulwark.config.json';
const scanKeys = ['detectors', 'exclude', 'ignorePaths', 'suppress', 'failOn'] as const;
const suppressKeys = ['detector', 'file', 'fingerprint', 'reason'];

/** Reads the scan config from `file`, or from bulwark.config.json in `cwd` when present. */
export function loadScanConfig(file: string | undefined, cwd: string): ScanConfig | undefined {
  const configPath = file ? path.resolve(cwd, file) : path.join(cwd, configFileName);
  if (!file && !existsSync(configPath)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(configPath, 'utf8'));
  } catch (error) {
    throw new InputError(`Cannot read the config ${configPath}.`, {
      cause: error,
      metaMessages: ['Fix: make it valid JSON, or pass another file with --config.'],
      docsPath: 'config.md',
    });
  }
  return parseScanConfig(raw, configPath);
}

export function parseScanConfig(raw: unknown, where: string): ScanConfig {
  const fail = (key: string, problem: string, fix: string): never => {
    throw new InputError(`Invalid config ${where}: ${key} ${problem}.`, {
      metaMessages: [`Fix: ${fix}`],
      docsPath: 'config.md',
    });
  };
  if (!isObject(raw)) return fail('the top level', 'is not an object', 'write `{ "scan": { ... } }`.');
  const scan = raw.scan ?? {};
  if (!isObject(scan)) return fail('"scan"', 'is not an object', 'write `"scan": { "exclude": [...] }`.');
  for (const key of Object.keys(scan)) {
    if (!(scanKeys as readonly string[]).includes(key)) {
      const guess = closest(key, [...scanKeys]);
      fail(
        `"scan.${key}"`,
        'is not a known key',
        guess ? `did you mean "scan.${guess}"?` : `use one of ${scanKeys.join(', ')}.`,
      );
    }
  }
  const stringList = (key: string): string[] | undefined => {
    const value = scan[key];
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
      fail(`"scan.${key}"`, 'must be a list of strings', `write "scan.${key}": ["..."].`);
    return value as string[];
  };
  const config: ScanConfig = {
    detectors: stringList('detectors'),
    exclude: stringList('exclude'),
    ignorePaths: stringList('ignorePaths'),
  };
  if (scan.failOn !== undefined) {
    if (typeof scan.failOn !== 'string' || !isImpact(scan.failOn))
      fail('"scan.failOn"', `is ${JSON.stringify(scan.failOn)}`, 'use "high", "medium" or "low".');
    config.failOn = scan.failOn as Impact;
  }
  if (scan.suppress !== undefined) {
    if (!Array.isArray(scan.suppress))
      fail('"scan.suppress"', 'must be a list', 'write "scan.suppress": [{ "detector": "...", "reason": "..." }].');
    config.suppress = (scan.suppress as unknown[]).map((entry, i) => {
      const at = `"scan.suppress[${i}]"`;
      if (!isObject(entry)) return fail(at, 'is not an object', 'give detector, file or fingerprint, and reason.');
      for (const key of Object.keys(entry)) {
        if (!suppressKeys.includes(key)) fail(`${at}.${key}`, 'is not a known key', `use ${suppressKeys.join(', ')}.`);
      }
      if (typeof entry.reason !== 'string' || entry.reason.trim() === '')
        fail(at, 'has no reason', 'say why the finding is accepted in "reason".');
      if (!entry.detector && !entry.file && !entry.fingerprint)
        fail(at, 'matches everything', 'give at least one of detector, file, fingerprint.');
      return entry as { detector?: string; file?: string; fingerprint?: string; reason: string };
    });
  }
  return config;
}

/** Fingerprints of an earlier JSON result (`bulwark scan --format json`). */
export function loadBaseline(file: string, cwd: string): Set<string> {
  const baselinePath = path.resolve(cwd, file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(baselinePath, 'utf8'));
  } catch (error) {
    throw new InputError(`Cannot read the baseline ${baselinePath}.`, {
      cause: error,
      metaMessages: ['Fix: create it with `bulwark scan --format json --output <file>`.'],
    });
  }
  const findings = isObject(parsed) ? parsed.findings : undefined;
  if (!Array.isArray(findings) || findings.some((f) => !isObject(f) || typeof f.fingerprint !== 'string')) {
    throw new InputError(`The baseline ${baselinePath} is not a bulwark JSON result.`, {
      metaMessages: ['Fix: create it with `bulwark scan --format json --output <file>`.'],
    });
  }
  return new Set(findings.map((f) => (f as { fingerprint: string }).fingerprint));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
