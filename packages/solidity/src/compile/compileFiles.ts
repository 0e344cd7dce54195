import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, posix, relative, resolve, sep } from 'node:path';
import type { Diagnostic } from './diagnostic.ts';
import { CompileError } from './errors.ts';
import { configuredEvmVersion, evmVersionFor } from './evmVersion.ts';
import {
  cachedSolcVersions,
  fetchSolc,
  oldestFetchableSolc,
  publishedSolcVersions,
  type SolcSourceOptions,
} from './fetchSolc.ts';
import { findImports } from './findImports.ts';
import { createLineIndex, type LineIndex } from './lineIndex.ts';
import { loadSolc, type ReadCallbackResult } from './loadSolc.ts';
import type { ProjectCompilers } from './projectCompilers.ts';
import type { BuildInfo, SolcError } from './readBuildInfo.ts';
import { createImportResolver, type ImportResolver, remapImport } from './resolveImports.ts';
import { compareVersions, parseVersion, satisfiesRange, type Version } from './satisfiesRange.ts';
import {
  bundledSolcVersions,
  findSolidityPragmas,
  type SelectSolcVersionReturnType,
  selectSolcVersion,
} from './selectSolc.ts';
import { stripComments } from './stripComments.ts';

export type CompiledFile = {
  /** Absolute path. */
  path: string;
  content: string;
  /** The solc that compiled it, or would have (set when a version was selected). */
  solcVersion?: string | undefined;
  compiled: boolean;
  /** Why it did not compile: the first solc error, or why no solc was run. */
  reason?: string | undefined;
  diagnostics: Diagnostic[];
  /** solc's compact JSON AST (`SourceUnit`) of this file. */
  ast?: unknown;
  /** Index into `CompileOutcome.compilations` of the run the AST comes from. */
  compilation?: number | undefined;
};

/** One solc run (or one reused build-info). AST node ids and `src` source ids are only unique within one. */
export type Compilation = {
  solcVersion: string;
  /** The build-info file it was taken from; undefined when compiled here. */
  buildInfo?: string | undefined;
  /** Every source of the run, inputs and imports; `id` is the third field of an AST `src`. */
  sources: { id: number; unitName: string; path: string; ast: unknown }[];
};

export type CompileOutcome = {
  /** One entry per input path, in input order. */
  files: CompiledFile[];
  /** Imported files that were read (absolute path -> content), inputs excluded. */
  imports: Map<string, string>;
  compilations: Compilation[];
};

export type CompileFilesOptions = {
  /** Project root: solc unit names are relative to it, and remappings resolve from it. */
  root: string;
  /** Default: a resolver for `root` with its remappings.txt / foundry.toml remappings. */
  resolver?: ImportResolver | undefined;
  /** Build-info from Foundry or Hardhat; files whose sources match are not compiled again. */
  buildInfo?: readonly BuildInfo[] | undefined;
  /** Ask solc for ASTs (default). False checks only: solc's AST JSON costs ~10x the checking. */
  ast?: boolean | undefined;
  /** The compilers the project configures (foundry.toml, hardhat.config): preferred where pragmas allow. */
  compilers?: ProjectCompilers | undefined;
  /**
   * Where to fetch a solc release no bundled or cached one can stand in for (default: the npm
   * registry npm uses, cached under `solcCacheDir()`); false never fetches.
   */
  fetchCompilers?: SolcSourceOptions | false | undefined;
};

/** A source as solc sees it: a unit name and the file behind it. */
type Unit = {
  name: string;
  path: string;
  content: string;
  /** Unit names of its imports, including ones that were not found. */
  imports: string[];
  lines?: LineIndex;
};

type SolcOutput = { errors?: SolcError[]; sources?: Record<string, { id: number; ast?: unknown }> };

/**
 * Compiles Solidity files to ASTs with the solc each one's pragmas (and its imports' pragmas) ask
 * for: the project's configured compiler where they allow it, else the newest bundled or fetched
 * one, else the newest release on the npm registry, fetched now (see `chooseVersion`). Files
 * sharing a version compile in one run; a run with errors is split so a broken file only fails
 * itself. A file that does not compile (or whose compiler cannot be fetched) is reported in its
 * entry, never thrown; only tool failures (a compiler that cannot load) throw a `CompileError`.
 */
export async function compileFiles(paths: string[], options: CompileFilesOptions): Promise<CompileOutcome> {
  const root = resolve(options.root);
  const projectEvmVersion = configuredEvmVersion(root);
  const resolver = options.resolver ?? createImportResolver({ root });
  const solcRemappings = resolver.remappings.map((r) => `${r.prefix}=${r.target}`);
  const units = new Map<string, Unit>();
  /** Unit names solc may ask for that have no file, with the text solc reports. */
  const missing = new Map<string, string>();
  const scanned = new Set<Unit>();
  const files: CompiledFile[] = [];
  const inputs: { file: CompiledFile; unit: Unit }[] = [];
  const compilations: Compilation[] = [];

  for (const path of [...new Set(paths.map((p) => resolve(p)))]) {
    let content: string;
    try {
      content = readFileSync(path, 'utf8');
    } catch (error) {
      const reason = `cannot read file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
      files.push({
        path,
        content: '',
        compiled: false,
        reason,
        diagnostics: [{ severity: 'error', file: path, message: reason }],
      });
      continue;
    }
    const file: CompiledFile = { path, content, compiled: false, diagnostics: [] };
    files.push(file);
    const unit = addUnit(unitNameFor(path), path, content);
    inputs.push({ file, unit });
  }
  for (const { unit } of inputs) scanImports(unit);

  const pending = inputs.filter((input) => !reuseBuildInfo(input));
  const groups = new Map<string, { file: CompiledFile; unit: Unit }[]>();
  const fetchOptions = options.fetchCompilers === false ? undefined : (options.fetchCompilers ?? {});
  /** Compilers fetched before, oldest first: used where no bundled one satisfies the pragmas. */
  const fetched = cachedSolcVersions(fetchOptions?.cacheDir);
  for (const input of pending) {
    const selected = await chooseVersion(input);
    if (selected.version === undefined) {
      input.file.reason = selected.reason;
      input.file.diagnostics.push({
        severity: 'error',
        file: input.file.path,
        ...pragmaPosition(input.unit),
        message: selected.reason,
      });
      continue;
    }
    input.file.solcVersion = selected.version;
    groups.set(selected.version, [...(groups.get(selected.version) ?? []), input]);
  }
  for (const [version, group] of groups) {
    await compileGroup(version, group);
  }

  const inputPaths = new Set(files.map((f) => f.path));
  const imports = new Map<string, string>();
  for (const unit of units.values()) if (!inputPaths.has(unit.path)) imports.set(unit.path, unit.content);
  return { files, imports, compilations };

  function unitNameFor(path: string): string {
    const rel = relative(root, path);
    const outside = rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
    return (outside ? path : rel).split(sep).join('/');
  }

  function addUnit(name: string, path: string, content: string): Unit {
    const unit: Unit = { name, path, content, imports: [] };
    units.set(name, unit);
    return unit;
  }

  /** Finds every file `start` imports, transitively, the way solc will ask for them. */
  function scanImports(start: Unit): void {
    const queue = [start];
    while (queue.length > 0) {
      const unit = queue.shift()!;
      if (scanned.has(unit)) continue;
      scanned.add(unit);
      for (const { path: importPath } of findImports(unit.content)) {
        const relativeImport = importPath.startsWith('./') || importPath.startsWith('../');
        const joined = relativeImport ? posix.normalize(posix.join(posix.dirname(unit.name), importPath)) : importPath;
        const name = remapImport(joined, resolver.remappings);
        unit.imports.push(name);
        if (units.has(name) || missing.has(name)) continue;
        const resolved = resolver.resolve(importPath, unit.path);
        if (!resolved.found) {
          const summary = relativeImport ? 'no such file' : 'no remapping, node_modules package or lib/ folder has it';
          missing.set(name, [`${summary}.`, ...resolved.message.split('\n').slice(1)].join('\n'));
          continue;
        }
        try {
          queue.push(addUnit(name, resolved.path, readFileSync(resolved.path, 'utf8')));
        } catch (error) {
          missing.set(name, `cannot read ${resolved.path}: ${(error as Error).message}`);
        }
      }
    }
  }

  function closure(start: Unit): Unit[] {
    const seen = new Map<string, Unit>([[start.name, start]]);
    const stack = [start];
    while (stack.length > 0) {
      for (const name of stack.pop()!.imports) {
        const unit = units.get(name);
        if (unit && !seen.has(name)) {
          seen.set(name, unit);
          stack.push(unit);
        }
      }
    }
    return [...seen.values()];
  }

  /** The pragmas of a file and everything it imports, as source text for `selectSolcVersion`. */
  function closurePragmas(unit: Unit): string {
    return closure(unit)
      .flatMap((u) => findSolidityPragmas(u.content))
      .map((p) => `pragma solidity ${p};`)
      .join('\n');
  }

  /**
   * The project's configured compiler when the pragmas allow it; else the newest bundled or cached
   * solc they allow; else the newest release on the registry they allow, fetched now.
   */
  async function chooseVersion({
    file,
    unit,
  }: {
    file: CompiledFile;
    unit: Unit;
  }): Promise<SelectSolcVersionReturnType> {
    const pragmas = closurePragmas(unit);
    const configured = options.compilers ? configuredCompilers(options.compilers, unit.path) : [];
    if (configured.length > 0) {
      const pick = selectSolcVersion(pragmas, { bundled: configured });
      if (pick.version !== undefined) return ensureAvailable(pick.version, 'the project configures it');
      file.diagnostics.push({
        severity: 'info',
        file: file.path,
        message: `The project's compiler (${configured.join(', ')}) does not satisfy the pragmas of this file or its imports; the version was chosen from the pragmas.`,
      });
    }
    // Bundled first, so the choice does not depend on what this machine fetched before.
    const local = selectVersion(unit, bundledSolcVersions);
    if (local.version !== undefined) return local;
    const cached = selectSolcVersion(pragmas, { bundled: fetched });
    if (cached.version !== undefined) return cached;
    if (!anySatisfies(pragmas, (v) => compareVersions(v, oldestFetchableSolc) >= 0)) {
      // `pragma solidity 0.4.8;`: a real compiler, but none Bulwark can drive.
      const tooOld = anySatisfies(pragmas, (v) => compareVersions(v, oldestFetchableSolc) < 0);
      return tooOld
        ? { version: undefined, reason: `${local.reason}; solc before 0.4.11 has no standard-JSON input to drive` }
        : local;
    }
    if (!fetchOptions) {
      return {
        version: undefined,
        reason: `${local.reason}; fetching compilers is off: bulwark compilers fetch ${fetchHint(pragmas)}`,
      };
    }
    let published: string[];
    try {
      published = await publishedSolcVersions(fetchOptions);
    } catch (error) {
      const message = error instanceof CompileError ? error.shortMessage : describe(error);
      return {
        version: undefined,
        reason: `${local.reason}; ${message} Pre-fetch one where the registry is reachable: bulwark compilers fetch ${fetchHint(pragmas)}`,
      };
    }
    const remote = selectSolcVersion(pragmas, { bundled: published });
    if (remote.version === undefined) return local;
    return ensureAvailable(remote.version, 'its pragmas ask for it');
  }

  async function ensureAvailable(version: string, why: string): Promise<SelectSolcVersionReturnType> {
    if (bundledSolcVersions.includes(version) || fetched.includes(version)) return { version };
    if (!fetchOptions) {
      return {
        version: undefined,
        reason: `solc ${version} (${why}) is neither bundled nor fetched; fetching compilers is off: bulwark compilers fetch ${version}`,
      };
    }
    try {
      await fetchOnce(version, fetchOptions);
    } catch (error) {
      return { version: undefined, reason: `solc ${version} (${why}) is not bundled; ${describe(error)}` };
    }
    fetched.push(version);
    fetched.sort((a, b) => compareVersions(parseVersion(a)!, parseVersion(b)!));
    return { version };
  }

  /** The newest solc in `candidates` satisfying the file's own pragmas and those of everything it imports. */
  function selectVersion(unit: Unit, candidates: readonly string[]) {
    const own = selectSolcVersion(unit.content, { bundled: candidates });
    if (own.version === undefined) return own;
    const ownPragmas = findSolidityPragmas(unit.content);
    for (const imported of closure(unit).slice(1)) {
      const theirs = findSolidityPragmas(imported.content);
      const both = [...ownPragmas, ...theirs].map((p) => `pragma solidity ${p};`).join('\n');
      if (selectSolcVersion(both, { bundled: candidates }).version === undefined) {
        const mine = ownPragmas.length > 0 ? `both this file's pragma ${ownPragmas.join(' ')} and ` : '';
        return {
          version: undefined,
          reason:
            `no bundled solc satisfies ${mine}pragma ${theirs.join(' ')} of imported ${imported.name} ` +
            `(bundled: ${candidates.join(', ')})`,
        };
      }
    }
    return selectSolcVersion(closurePragmas(unit), { bundled: candidates });
  }

  async function compileGroup(version: string, group: { file: CompiledFile; unit: Unit }[]): Promise<void> {
    // Let timers and progress output run between (synchronous) solc calls.
    await new Promise((done) => setImmediate(done));
    const run = runSolc(
      version,
      group.map((g) => g.unit),
    );
    const errors = run.output?.errors?.filter((e) => e.severity === 'error') ?? [];
    if (run.output && errors.length === 0) {
      accept(version, group, run.output);
      return;
    }
    if (group.length === 1) {
      const { file, unit } = group[0]!;
      const reason = run.crash ?? reasonFor(errors[0]!, file.path);
      // An open pragma (`>=0.5.0`) lets the newest solc reject code written for an older one.
      for (const older of olderCandidates(version, unit)) {
        const retry = runSolc(older, [unit]);
        if (retry.output && !retry.output.errors?.some((e) => e.severity === 'error')) {
          file.diagnostics.push({
            severity: 'info',
            file: file.path,
            message: `Compiled with solc ${older}: solc ${version}, the newest its pragmas allow, failed with ${reason}`,
          });
          accept(older, group, retry.output);
          return;
        }
      }
      file.reason = reason;
      file.diagnostics.push(...(run.output?.errors ?? []).map((e) => toDiagnostic(e, file.path)));
      if (run.crash) file.diagnostics.push({ severity: 'error', file: file.path, message: run.crash });
      return;
    }
    // Files whose imports reach an error compile alone; the rest try again together.
    const broken = new Set(errors.flatMap((e) => (e.sourceLocation?.file ? [e.sourceLocation.file] : [])));
    const suspects =
      broken.size === 0 || errors.some((e) => !e.sourceLocation?.file)
        ? group
        : group.filter((g) => closure(g.unit).some((u) => broken.has(u.name)));
    const rest = group.filter((g) => !suspects.includes(g));
    for (const one of suspects) await compileGroup(version, [one]);
    if (suspects.length < group.length) await compileGroup(version, rest);
  }

  function accept(version: string, group: { file: CompiledFile; unit: Unit }[], output: SolcOutput): void {
    const index = record(version, output);
    for (const { file, unit } of group) {
      const ast = output.sources?.[unit.name]?.ast;
      file.solcVersion = version;
      if (options.ast === false) Object.assign(file, { compiled: true, compilation: index });
      else Object.assign(file, ast ? { compiled: true, ast, compilation: index } : { reason: 'solc returned no AST' });
    }
    attachDiagnostics(group, output.errors ?? []);
  }

  /** The newest bundled solc of each older minor line (0.7.x, 0.6.x, …) the pragmas also allow. */
  function olderCandidates(version: string, unit: Unit): string[] {
    const pragmas = closurePragmas(unit);
    const [major, minor] = parseVersion(version)!;
    const newestPerLine = new Map<string, string>();
    for (const v of bundledSolcVersions) newestPerLine.set(v.split('.').slice(0, 2).join('.'), v);
    return [...newestPerLine.values()]
      .filter((v) => {
        const [ma, mi] = parseVersion(v)!;
        return ma < major || (ma === major && mi < minor);
      })
      .reverse()
      .filter((v) => selectSolcVersion(pragmas, { bundled: [v] }).version === v);
  }

  function runSolc(version: string, inputUnits: Unit[]): { output?: SolcOutput; crash?: string } {
    const solc = loadSolc(version, { cacheDir: fetchOptions?.cacheDir });
    const input = {
      language: 'Solidity',
      sources: Object.fromEntries(inputUnits.map((u) => [u.name, { content: u.content }])),
      settings: {
        ...(solcRemappings.length > 0 ? { remappings: solcRemappings } : {}),
        evmVersion: evmVersionFor(version, projectEvmVersion), // undefined: left out of the JSON
        outputSelection: { '*': { '': options.ast === false ? [] : ['ast'] } },
      },
    };
    let text: string;
    try {
      text = solc.compileStandard(JSON.stringify(input), read);
    } catch (error) {
      return { crash: `solc ${version} crashed: ${(error as Error).message ?? String(error)}` };
    }
    try {
      return { output: JSON.parse(text) as SolcOutput };
    } catch {
      return { crash: `solc ${version} returned output that is not JSON: ${text.slice(0, 200)}` };
    }
  }

  function read(name: string): ReadCallbackResult {
    const unit = units.get(name);
    if (unit) return { contents: unit.content };
    const known = missing.get(name);
    if (known) return { error: known };
    // A unit name we did not predict (solc normalises some paths differently): try the root.
    const path = isAbsolute(name) ? name : resolve(root, name);
    try {
      const added = addUnit(name, path, readFileSync(path, 'utf8'));
      scanImports(added);
      return { contents: added.content };
    } catch {
      return { error: `no such file under ${root}.` };
    }
  }

  function record(solcVersion: string, output: SolcOutput, buildInfo?: string): number {
    const sources = Object.entries(output.sources ?? {}).map(([unitName, source]) => ({
      id: source.id,
      unitName,
      path: units.get(unitName)?.path ?? (isAbsolute(unitName) ? unitName : resolve(root, unitName)),
      ast: source.ast,
    }));
    compilations.push({ solcVersion, buildInfo, sources });
    return compilations.length - 1;
  }

  /**
   * Warnings of a successful group run: those in an input go to that input; those in an imported
   * file go once, to the first input that imports it.
   */
  function attachDiagnostics(group: { file: CompiledFile; unit: Unit }[], errors: SolcError[]): void {
    for (const error of errors) {
      const unitName = error.sourceLocation?.file;
      const owner =
        group.find((g) => g.unit.name === unitName) ??
        group.find((g) => unitName !== undefined && closure(g.unit).some((u) => u.name === unitName));
      for (const { file } of owner ? [owner] : group) file.diagnostics.push(toDiagnostic(error, file.path));
    }
  }

  function toDiagnostic(error: SolcError, fallbackFile: string, locatedIn?: Unit): Diagnostic {
    const location = error.sourceLocation;
    const unit = locatedIn ?? (location?.file ? units.get(location.file) : undefined);
    const file = unit?.path ?? (location?.file ? resolve(root, location.file) : fallbackFile);
    const severity = error.severity === 'error' ? 'error' : error.severity === 'warning' ? 'warning' : 'info';
    const type = error.type && error.type !== 'Warning' && error.type !== 'Info' ? `${error.type}: ` : '';
    return { severity, file, ...position(unit, location?.start), message: `${type}${error.message}` };
  }

  function position(unit: Unit | undefined, start: number | undefined): { line?: number; column?: number } {
    if (!unit || start === undefined || start < 0) return {};
    unit.lines ??= createLineIndex(unit.content);
    return unit.lines.position(start);
  }

  /** "ParserError at line 36: Expected identifier but got 'payable'"; names the file when it is another one. */
  function reasonFor(error: SolcError, path: string): string {
    const location = error.sourceLocation;
    const unit = location?.file ? units.get(location.file) : undefined;
    const where = unit && unit.path !== path ? ` in ${unitNameFor(unit.path)}` : '';
    const { line } = position(unit, location?.start);
    const firstLine = error.message.split('\n')[0]!;
    const message = firstLine.length > 200 ? `${firstLine.slice(0, 199)}…` : firstLine;
    return `${error.type ?? 'Error'}${where}${line ? ` at line ${line}` : ''}: ${message}`;
  }

  function pragmaPosition(unit: Unit): { line?: number } {
    const index = stripComments(unit.content).search(/\bpragma\s+solidity\b/);
    return index === -1 ? {} : { line: unit.content.slice(0, index).split('\n').length };
  }

  /**
   * Takes the AST from a build-info whose sources match this file and everything it imports, byte
   * for byte, so only files changed since the last `forge build` are compiled.
   */
  function reuseBuildInfo({ file, unit }: { file: CompiledFile; unit: Unit }): boolean {
    if (!options.buildInfo?.length) return false;
    const needed = closure(unit).map((u) => hash(u.content));
    for (const info of options.buildInfo) {
      if (info.output.errors?.some((e) => e.severity === 'error')) continue;
      const entry = Object.entries(info.input.sources).find(
        ([name, source]) => source.content === unit.content && sameFile(name, unit.path),
      );
      const ast = entry ? info.output.sources[entry[0]]?.ast : undefined;
      if (!entry || !ast) continue;
      const available = buildInfoHashes(info);
      if (!needed.every((h) => available.has(h))) continue;
      let index = compilations.findIndex((c) => c.buildInfo === info.file);
      if (index === -1) index = record(info.solcVersion, info.output, info.file);
      Object.assign(file, { compiled: true, ast, compilation: index, solcVersion: info.solcVersion });
      // The build-info may name this file differently, so its unit is passed along.
      const ownErrors = (info.output.errors ?? []).filter((e) => e.sourceLocation?.file === entry[0]);
      file.diagnostics.push(...ownErrors.map((e) => toDiagnostic(e, file.path, unit)));
      return true;
    }
    return false;
  }

  function sameFile(unitName: string, path: string): boolean {
    if (isAbsolute(unitName)) return resolve(unitName) === path;
    // Hardhat 3 prefixes project files with `project/`.
    return [unitName, unitName.replace(/^project\//, '')].some(
      (name) => resolve(root, name) === path || path.endsWith(`/${name}`),
    );
  }
}

const hashesByBuildInfo = new WeakMap<BuildInfo, Set<string>>();
function buildInfoHashes(info: BuildInfo): Set<string> {
  let hashes = hashesByBuildInfo.get(info);
  if (!hashes) {
    hashes = new Set(
      Object.values(info.input.sources).flatMap((s) => (s.content === undefined ? [] : [hash(s.content)])),
    );
    hashesByBuildInfo.set(info, hashes);
  }
  return hashes;
}

function hash(content: string): string {
  return createHash('sha256').update(content).digest('hex');
}

/**
 * Whether some version `accept`s could satisfy the pragmas, tried on a grid wider than any release
 * (0.1.0 to 0.30.60): pragmas no fetchable release satisfies (`^0.3.0`, or `^0.8.0` with `^0.7.0`)
 * ask no registry.
 */
function anySatisfies(pragmas: string, accept: (version: Version) => boolean): boolean {
  const grid: string[] = [];
  for (let minor = 1; minor <= 30; minor++) {
    for (let patch = 0; patch <= 60; patch++) if (accept([0, minor, patch])) grid.push(`0.${minor}.${patch}`);
  }
  return selectSolcVersion(pragmas, { bundled: grid }).version !== undefined;
}

/**
 * What to give `bulwark compilers fetch` for these pragmas (a file's and its imports'): an exact
 * pin all of them allow, else the distinct ranges, quoted.
 */
function fetchHint(pragmas: string): string {
  const ranges = [...new Set(findSolidityPragmas(pragmas))];
  const allows = (version: string) =>
    ranges.every((range) => {
      try {
        return satisfiesRange(parseVersion(version)!, range);
      } catch {
        return false;
      }
    });
  const pinned = ranges.map((range) => /^=?\s*(\d+\.\d+\.\d+)$/.exec(range)?.[1]).find((v) => v && allows(v));
  if (pinned) return pinned;
  return `"${ranges.some((r) => r.includes('||')) ? ranges[0] : ranges.join(' ')}"`;
}

/** Compilers configured for `path`: its override, else the project's list. */
function configuredCompilers(compilers: ProjectCompilers, path: string): string[] {
  const override = compilers.overrides?.[path];
  return override ? [override] : compilers.versions;
}

/** One fetch per version and process: files of a scan share it, and an offline registry is asked once. */
const fetches = new Map<string, Promise<string>>();
function fetchOnce(version: string, options: SolcSourceOptions): Promise<string> {
  const key = `${options.registry ?? ''}|${options.cacheDir ?? ''}|${version}`;
  let pending = fetches.get(key);
  if (!pending) {
    pending = fetchSolc(version, options);
    fetches.set(key, pending);
  }
  return pending;
}

/** A fetch failure as a file's reason: the short message and the way out, without a stack. */
function describe(error: unknown): string {
  if (error instanceof CompileError) return [error.shortMessage, ...(error.metaMessages ?? [])].join(' ');
  return error instanceof Error ? error.message : String(error);
}
