import { readFileSync } from 'node:fs';
import path from 'node:path';
import { canonicalJson } from '@bulwark/store';
import { sha256Hex } from '../approvals/sha256.ts';
import { type Dependency, dependencyKey } from './dependency.ts';
import { hashTree } from './hashTree.ts';
import { foundryLibFolders, readFoundryLibs } from './readFoundryLibs.ts';
import { findNpmLock, type NpmLockEntry, readNpmLock } from './readNpmLock.ts';
import { type TraceImportsReturnType, traceImports } from './traceImports.ts';

export type DependencyInventory = {
  /** The project root (absolute). */
  root: string;
  /** The lockfile read, relative to the root; undefined when the project has none. */
  lockfile: string | undefined;
  /** Sorted by ecosystem, name, version. */
  dependencies: Dependency[];
  /** sha256 over the canonical list of (ecosystem, name, version, integrity): any change to a dependency changes it. */
  lockDigest: string;
  /** The project's own Solidity files the contracts consist of (the sources and what they import), relative. */
  localSources: string[];
  unresolvedImports: TraceImportsReturnType['unresolved'];
};

export type ReadDependencyInventoryParameters = {
  /** The project root: the lockfile and the Foundry lib folders are read from here. */
  root: string;
  /** The contract sources (absolute or relative to the root): their imports say which dependencies are used. */
  sources: string[];
};

/**
 * The open-source code a project integrates: the npm lockfile's packages, the Foundry libraries,
 * and npm packages the contracts import from outside the lockfile (resolved from a parent
 * folder's node_modules, as in a monorepo). Each dependency lists the files of it the contracts
 * actually import.
 */
export function readDependencyInventory(parameters: ReadDependencyInventoryParameters): DependencyInventory {
  const root = path.resolve(parameters.root);
  const lockfile = findNpmLock(root);
  const npm = lockfile ? readNpmLock(lockfile) : [];
  const libs = readFoundryLibs(root);
  const byLocation = new Map<string, NpmLockEntry>(npm.map((entry) => [path.join(root, entry.location), entry]));
  const byFolder = new Map<string, Dependency>(libs.map((lib) => [lib.folder, lib]));
  const extra = new Map<string, Dependency>();
  const otherLocks = new Map<string, NpmLockEntry[]>();
  const readLock = (file: string) => {
    if (!otherLocks.has(file)) otherLocks.set(file, readNpmLock(file));
    return otherLocks.get(file)!;
  };

  const traced = traceImports({
    root,
    sources: parameters.sources.map((s) => path.resolve(root, s)),
    libs: foundryLibFolders(root),
  });
  for (const imported of traced.external) {
    const rel = relative(root, imported.file);
    let owner = imported.kind === 'foundry' ? byFolder.get(imported.packageDir) : byLocation.get(imported.packageDir);
    owner ??= extra.get(imported.packageDir);
    if (!owner) {
      // A Foundry library folder is always inventoried, so only npm packages get here.
      owner = packageOutsideLock(imported.packageDir, readLock);
      extra.set(imported.packageDir, owner);
    }
    owner.imported.push(rel);
  }

  const dependencies = [...npm, ...libs, ...extra.values()]
    .map(
      ({ ecosystem, name, version, integrity, source, dev, imported }): Dependency => ({
        ecosystem,
        name,
        version,
        integrity,
        ...(source === undefined ? {} : { source }),
        ...(dev ? { dev } : {}),
        imported: [...new Set(imported)].sort(),
      }),
    )
    .sort((a, b) => compare(dependencyKey(a), dependencyKey(b)) || compare(a.integrity, b.integrity));
  // The same package can sit at several places in node_modules: one entry per version and content.
  const unique = dependencies.filter((d, i) => {
    const previous = dependencies[i - 1];
    if (!previous || dependencyKey(previous) !== dependencyKey(d) || previous.integrity !== d.integrity) return true;
    previous.imported = [...new Set([...previous.imported, ...d.imported])].sort();
    previous.dev = previous.dev && d.dev ? true : undefined;
    if (!previous.dev) delete previous.dev;
    return false;
  });
  return {
    root,
    lockfile: lockfile ? relative(root, lockfile) : undefined,
    dependencies: unique,
    lockDigest: lockDigestOf(unique),
    localSources: traced.local.map((file) => relative(root, file)),
    unresolvedImports: traced.unresolved,
  };
}

/** The digest of a dependency list: what the release digest pins. */
export function lockDigestOf(dependencies: readonly Dependency[]): string {
  const material = dependencies
    .map((d) => [d.ecosystem, d.name, d.version, d.integrity])
    .sort((a, b) => compare(a.join('\0'), b.join('\0')));
  return sha256Hex(canonicalJson({ v: 'bulwark-dependencies/v1', dependencies: material }));
}

/** An npm package imported from a node_modules outside the project's lockfile (a monorepo's hoisted packages). */
function packageOutsideLock(packageDir: string, readLock: (file: string) => NpmLockEntry[]): Dependency {
  let name = path.basename(packageDir);
  let version = 'unknown';
  try {
    const manifest = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as {
      name?: string;
      version?: string;
    };
    name = manifest.name ?? name;
    version = manifest.version ?? version;
  } catch {
    // No package.json: the folder name and content hash still identify it.
  }
  // The lockfile next to that node_modules knows the published integrity.
  const parent = path.dirname(packageDir);
  const nodeModules = path.basename(parent).startsWith('@') ? path.dirname(parent) : parent;
  const lock = findNpmLock(path.dirname(nodeModules));
  const entry = lock ? readLock(lock).find((e) => path.join(path.dirname(lock), e.location) === packageDir) : undefined;
  return {
    ecosystem: 'npm',
    name,
    version: entry?.version ?? version,
    integrity: entry?.integrity ?? hashTree(packageDir),
    source: entry?.source ?? packageDir,
    imported: [],
  };
}

function relative(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
