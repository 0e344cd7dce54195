import { readFileSync } from 'node:fs';
import type { Finding } from '@bulwark/core';
import {
  compileFiles,
  createImportResolver,
  findImports,
  type ProjectCompilers,
  type Remapping,
  releaseSolc,
} from '@bulwark/solidity';
import { analyze, parseInput } from './analyze.ts';
import type { InheritanceFacts } from './deployedOnly.ts';
import type { Detector } from './detector.ts';
import type { FileReport } from './result.ts';

/** One unit of work for a worker: files compiled together and analysed one by one. */
export type FileJob = {
  files: string[];
  root: string;
  remappings: Remapping[];
  /** The project's configured solc versions (foundry.toml, hardhat.config.*). */
  compilers?: ProjectCompilers | undefined;
  /** False: never fetch a solc release from the registry. */
  fetchCompilers?: boolean | undefined;
  detectorIds: string[];
  cwd: string;
  /** The solc these files will most likely need (`likelySolcVersion`): jobs come grouped by it. */
  compilerKey?: string | undefined;
};

export type FileJobResult = Partial<InheritanceFacts> & {
  reports: FileReport[];
  findings: Finding[];
  suppressedInline: number;
};

type Parsed = ReturnType<typeof parseInput>;

/**
 * Compiles a batch of files (diagnostics only: solc's AST JSON is slower than parsing), parses
 * each with its import closure and runs the detectors. A file that does not compile still runs
 * on its parse tree and is reported as degraded; nothing in one file stops the others.
 */
export async function analyzeFiles(
  job: FileJob,
  detectors: Detector[],
  parseCache = new Map<string, Parsed>(),
): Promise<FileJobResult> {
  releaseOnCompilerSwitch(job, parseCache);
  const displayPath = (file: string) => relativeDisplay(file, job.cwd);
  const resolver = createImportResolver({ root: job.root, remappings: job.remappings });
  const outcome = await compileFiles(job.files, {
    root: job.root,
    resolver,
    ast: false,
    compilers: job.compilers,
    fetchCompilers: job.fetchCompilers === false ? false : undefined,
  });
  // Only imported files are kept: they are what other files of the group parse again. A file
  // analysed as a target is usually never seen again, and keeping every target's tree held the
  // whole group's (tens of MB per worker).
  const parse = (file: string, content?: string, keep = true): Parsed | undefined => {
    const cached = parseCache.get(file);
    if (cached) return cached;
    let text = content;
    try {
      text ??= readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
    const parsed = parseInput(file, text);
    if (keep) parseCache.set(file, parsed);
    return parsed;
  };
  const result: Required<FileJobResult> = {
    reports: [],
    findings: [],
    suppressedInline: 0,
    inherited: [],
    deployedOnly: [],
  };
  for (const compiled of outcome.files) {
    const target = parse(compiled.path, compiled.content, false);
    // By position: solc's order depends on which files it compiled together.
    const diagnostics = compiled.diagnostics
      .map((d) => ({ ...d, file: displayPath(d.file) }))
      .sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
    const report: FileReport = {
      file: displayPath(compiled.path),
      solcVersion: compiled.compiled ? compiled.solcVersion : undefined,
      status: compiled.compiled ? 'full' : 'degraded',
      reason: compiled.compiled ? undefined : compiled.reason,
      diagnostics,
      findings: 0,
    };
    if (!target || (target.ast.children?.length ?? 0) === 0) {
      report.status = 'failed';
      report.reason =
        [compiled.reason, ...(target?.errors ?? [])].filter(Boolean).join('; ') || 'empty or unreadable file';
      result.reports.push(report);
      continue;
    }
    if (!compiled.compiled && target.errors.length > 0) {
      report.reason = `${compiled.reason ?? 'not compiled'}; parse tree is partial (${target.errors[0]})`;
    } else if (!compiled.compiled && target.legacy) {
      report.reason = `pre-0.4 syntax (${target.legacy}), older than any solc-js: read by the legacy front end`;
    }
    const dependencies: Parsed[] = [];
    const seen = new Set([compiled.path]);
    const queue = [compiled.path];
    while (queue.length > 0) {
      const from = queue.pop()!;
      const source = from === compiled.path ? compiled.content : parse(from)?.content;
      for (const statement of findImports(source ?? '')) {
        const resolved = resolver.resolve(statement.path, from);
        if (!resolved.found || seen.has(resolved.path)) continue;
        seen.add(resolved.path);
        const dependency = parse(resolved.path, outcome.imports.get(resolved.path));
        if (dependency) {
          dependencies.push(dependency);
          queue.push(resolved.path);
        }
      }
    }
    const targetInput = { ...target, solcVersion: compiled.compiled ? compiled.solcVersion : undefined };
    const analysed = analyze({ targets: [targetInput], dependencies, detectors, displayPath });
    for (const error of analysed.detectorErrors) {
      report.diagnostics.push({
        severity: 'warning',
        file: report.file,
        message: `detector ${error.detector} failed and was skipped: ${error.message}`,
      });
    }
    report.findings = analysed.findings.length;
    result.findings.push(...analysed.findings);
    result.suppressedInline += analysed.suppressedInline;
    result.inherited.push(...analysed.inherited);
    result.deployedOnly.push(...analysed.deployedOnly);
    result.reports.push(report);
  }
  return result;
}

/** The compiler group of the last job this thread ran. */
let hotCompilerKey: string | undefined;

/**
 * Jobs arrive grouped by compiler: when the group changes, the compilers loaded so far are let go
 * (each holds 50–100 MB, and code pinned to many releases would otherwise keep them all), and so
 * are the parse trees cached for the last group. All compilers: one released while another stays
 * loaded was seen to stay reachable through the module links of dependencies they share.
 */
function releaseOnCompilerSwitch(job: FileJob, parseCache: Map<string, Parsed>): void {
  if (job.compilerKey === hotCompilerKey) return;
  if (hotCompilerKey !== undefined) {
    parseCache.clear();
    releaseSolc();
  }
  hotCompilerKey = job.compilerKey;
}

/** A path as shown to the user: relative to the working directory when inside it. */
export function relativeDisplay(file: string, cwd: string): string {
  const prefix = cwd.endsWith('/') ? cwd : `${cwd}/`;
  return file.startsWith(prefix) ? file.slice(prefix.length) : file;
}
