import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { BaseError, closest, type Finding, UsageError } from '@bulwark/core';
import {
  cachedSolcVersions,
  compareVersions,
  detectProject,
  likelySolcVersion,
  parseVersion,
  solcCacheDir,
} from '@bulwark/solidity';
import { analyzeFiles, type FileJob, type FileJobResult, relativeDisplay } from './analyzeFiles.ts';
import type { ScanConfig } from './config.ts';
import { dropFindingsOnBases } from './deployedOnly.ts';
import type { Detector } from './detector.ts';
import { metadataOf } from './detector.ts';
import { allDetectors } from './detectors/index.ts';
import { resolveLimits, runIsolated, type ScanLimits } from './isolate.ts';
import type { FileReport, ScanResult } from './result.ts';
import { version } from './version.ts';
import { workerBundle } from './workerBundle.ts';

export type ScanOptions = {
  paths: string[];
  cwd?: string | undefined;
  config?: ScanConfig | undefined;
  /** Only these detector ids (default: all, minus config excludes). */
  detectors?: string[] | undefined;
  exclude?: string[] | undefined;
  /** Fingerprints from an earlier result: findings already known are dropped. */
  baseline?: Set<string> | undefined;
  /**
   * Worker threads; default one per core. Each file is analysed in a worker under `limits`, so no
   * input can abort the scan. 0 runs everything in this thread, without that protection.
   */
  jobs?: number | undefined;
  /** Memory and time a file's analysis may use before it is reported `failed`. */
  limits?: Partial<ScanLimits> | undefined;
  onProgress?: ((done: number, total: number, file: string) => void) | undefined;
  /** False: use only bundled and cached compilers, never the registry (default true). */
  fetchCompilers?: boolean | undefined;
};

export class ScanError extends BaseError {
  override name = 'ScanError';
}

/** Scans Solidity files, folders, or Foundry/Hardhat projects and returns every finding. */
export async function scan(options: ScanOptions): Promise<ScanResult> {
  const started = performance.now();
  const cwd = options.cwd ?? process.cwd();
  const detectors = selectDetectors(options);
  const project = detectProject(options.paths.length > 0 ? options.paths : [cwd]);
  const ignore = (options.config?.ignorePaths ?? []).map(globToRegExp);
  const sources = project.sources.filter((file) => !ignore.some((pattern) => pattern.test(relativeDisplay(file, cwd))));
  const base: Omit<FileJob, 'files'> = {
    root: project.root,
    remappings: project.remappings,
    compilers: project.compilers,
    fetchCompilers: options.fetchCompilers,
    detectorIds: detectors.map((d) => d.id),
    cwd,
  };
  const jobs = batchByCompiler(sources, base);

  let done = 0;
  const onResult = (result: FileJobResult) => {
    for (const report of result.reports) options.onProgress?.(++done, sources.length, report.file);
  };
  const results =
    options.jobs === 0
      ? await runHere(jobs, detectors, onResult)
      : await runIsolated({
          jobs,
          threads: options.jobs ?? availableParallelism(),
          limits: resolveLimits(options.limits),
          workerUrl: (await workerBundle()) ?? new URL('./worker-entry.mjs', import.meta.url),
          onResult,
        });

  const inSourceOrder = restoreSourceOrder(results, sources, cwd);
  const reports: FileReport[] = inSourceOrder.flatMap((r) => r.reports);
  for (const warning of project.warnings)
    reports.push({
      file: project.root,
      status: 'full',
      diagnostics: [{ severity: 'warning', file: project.root, message: warning }],
      findings: 0,
    });
  let findings: Finding[] = dedupeAcrossFiles(inSourceOrder.flatMap((r) => r.findings));
  findings = dropFindingsOnBases(findings, results);
  const suppressed = { inline: results.reduce((n, r) => n + r.suppressedInline, 0), config: 0, baseline: 0 };
  const configRules = options.config?.suppress ?? [];
  if (configRules.length > 0) {
    const before = findings.length;
    findings = findings.filter(
      (f) =>
        !configRules.some(
          (rule) =>
            (!rule.detector || rule.detector === f.detector) &&
            (!rule.file || globToRegExp(rule.file).test(f.location.file)) &&
            (!rule.fingerprint || rule.fingerprint === f.fingerprint),
        ),
    );
    suppressed.config = before - findings.length;
  }
  if (options.baseline) {
    const before = findings.length;
    findings = findings.filter((f) => !options.baseline!.has(f.fingerprint));
    suppressed.baseline = before - findings.length;
  }
  const counts = new Map<string, number>();
  for (const finding of findings) counts.set(finding.location.file, (counts.get(finding.location.file) ?? 0) + 1);
  for (const report of reports) report.findings = counts.get(report.file) ?? 0;
  return {
    schemaVersion: 1,
    tool: { name: 'bulwark', version },
    findings,
    files: reports,
    detectors: detectors.map(metadataOf),
    suppressed,
    durationMs: Math.round(performance.now() - started),
  };
}

/**
 * Batches of up to 8 files that most likely need the same solc, batches of one compiler next to
 * each other: a worker then keeps one compiler loaded instead of every release the files pin
 * (see `releaseCompilersOnSwitch`).
 */
function batchByCompiler(sources: string[], base: Omit<FileJob, 'files'>): FileJob[] {
  const batchSize = 8;
  const fetched = cachedSolcVersions(solcCacheDir());
  const keyed = sources.map((file) => {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // Unreadable: compileFiles reports it.
    }
    const key = likelySolcVersion(text, fetched);
    return { file, key, version: key ? parseVersion(key) : undefined };
  });
  keyed.sort((a, b) =>
    a.version && b.version ? compareVersions(a.version, b.version) : a.version ? -1 : b.version ? 1 : 0,
  );
  const jobs: FileJob[] = [];
  for (const { file, key } of keyed) {
    const last = jobs.at(-1);
    if (last && last.compilerKey === key && last.files.length < batchSize) last.files.push(file);
    else jobs.push({ ...base, files: [file], compilerKey: key });
  }
  return jobs;
}

/**
 * Results as if the files had been analysed in `sources` order, whatever order the batches ran
 * in: reports by file, and each file's findings (a job's findings come file by file, as many as
 * its report counts) with it.
 */
function restoreSourceOrder(results: FileJobResult[], sources: string[], cwd: string): FileJobResult[] {
  const position = new Map(sources.map((file, index) => [relativeDisplay(file, cwd), index]));
  const perFile: { index: number; result: FileJobResult }[] = [];
  for (const result of results) {
    let next = 0;
    for (const [i, report] of result.reports.entries()) {
      const findings = result.findings.slice(next, next + report.findings);
      next += report.findings;
      perFile.push({
        index: position.get(report.file) ?? sources.length,
        result: { reports: [report], findings, suppressedInline: i === 0 ? result.suppressedInline : 0 },
      });
    }
  }
  // A stable sort keeps files outside `sources` (none expected) in the order they came.
  return perFile.sort((a, b) => a.index - b.index).map((entry) => entry.result);
}

/**
 * A base contract's code is analysed once per file that imports it, so one problem can come back
 * from several derived contracts: keep one finding per detector and place.
 */
function dedupeAcrossFiles(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const { file, startLine, startColumn, endLine, endColumn } = f.location;
    const key = `${f.detector}|${file}|${startLine}:${startColumn}-${endLine}:${endColumn}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function selectDetectors(options: ScanOptions): Detector[] {
  const known = new Map(allDetectors.map((d) => [d.id, d]));
  const check = (ids: string[], where: string) => {
    for (const id of ids) {
      if (!known.has(id)) {
        const suggestion = closest(id, [...known.keys()]);
        throw new UsageError(`Unknown detector '${id}' in ${where}.`, {
          metaMessages: [suggestion ? `Did you mean '${suggestion}'?` : 'Run `bulwark detectors` for the list.'],
        });
      }
    }
  };
  const include = options.detectors ?? options.config?.detectors;
  const exclude = [...(options.exclude ?? []), ...(options.config?.exclude ?? [])];
  if (include) check(include, options.detectors ? '--detectors' : 'the config (scan.detectors)');
  check(exclude, 'the exclude list');
  return allDetectors.filter((d) => (!include || include.includes(d.id)) && !exclude.includes(d.id));
}

async function runHere(
  jobs: FileJob[],
  detectors: Detector[],
  onResult: (r: FileJobResult) => void,
): Promise<FileJobResult[]> {
  const cache = new Map();
  const results: FileJobResult[] = [];
  for (const job of jobs) {
    const result = await analyzeFiles(job, detectors, cache);
    onResult(result);
    results.push(result);
  }
  return results;
}

/** `**` any folders, `*` any name part, `?` one character; anchored to the whole path. */
export function globToRegExp(glob: string): RegExp {
  let pattern = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i];
    if (char === '*' && glob[i + 1] === '*') {
      pattern += '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (char === '*') pattern += '[^/]*';
    else if (char === '?') pattern += '[^/]';
    else pattern += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${pattern}$`);
}
