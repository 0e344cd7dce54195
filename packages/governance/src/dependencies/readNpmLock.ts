import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Dependency } from './dependency.ts';
import { DependencyError } from './errors.ts';

/** A package of the lockfile, with the folder it installs to (the lockfile's key). */
export type NpmLockEntry = Dependency & { ecosystem: 'npm'; location: string };

const lockNames = ['npm-shrinkwrap.json', 'package-lock.json'];

/** The lockfile of a project folder: npm-shrinkwrap.json wins over package-lock.json, as npm reads them. */
export function findNpmLock(root: string): string | undefined {
  return lockNames.map((name) => path.join(root, name)).find((file) => existsSync(file));
}

type LockPackage = {
  name?: string;
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dev?: boolean;
  devOptional?: boolean;
};

type LockV1Dependency = LockPackage & { dependencies?: Record<string, LockV1Dependency> };

/**
 * The packages a lockfile installs (v2 and v3 `packages`, v1 `dependencies`): name, version,
 * integrity and where from. Workspace folders and links are the project's own code and are left out.
 */
export function readNpmLock(file: string): NpmLockEntry[] {
  let lock: { lockfileVersion?: number; packages?: Record<string, LockPackage>; dependencies?: unknown };
  try {
    lock = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new DependencyError(`Cannot read the lockfile ${file}.`, {
      cause: error,
      metaMessages: ['Fix: make it valid JSON again with `npm install --package-lock-only`.'],
      docsPath: 'governance/deps.md#inventory',
    });
  }
  const entries: NpmLockEntry[] = [];
  if (lock.packages && typeof lock.packages === 'object') {
    for (const [location, entry] of Object.entries(lock.packages)) {
      // '' is the project itself; paths without node_modules are workspace folders.
      if (!location.includes('node_modules/') || entry.link) continue;
      const name = entry.name ?? location.slice(location.lastIndexOf('node_modules/') + 'node_modules/'.length);
      entries.push(toEntry(name, location, entry));
    }
  } else if (lock.dependencies && typeof lock.dependencies === 'object') {
    const walk = (deps: Record<string, LockV1Dependency>, prefix: string) => {
      for (const [name, entry] of Object.entries(deps)) {
        const location = `${prefix}node_modules/${name}`;
        if (!entry.version?.startsWith('file:')) entries.push(toEntry(name, location, entry));
        if (entry.dependencies) walk(entry.dependencies, `${location}/`);
      }
    };
    walk(lock.dependencies as Record<string, LockV1Dependency>, '');
  }
  return entries;
}

function toEntry(name: string, location: string, entry: LockPackage): NpmLockEntry {
  return {
    ecosystem: 'npm',
    name,
    version: entry.version ?? 'unknown',
    // Git and tarball-URL dependencies have no integrity: the URL (with its commit) is what pins them.
    integrity: entry.integrity ?? (entry.resolved ? `resolved:${entry.resolved}` : 'none'),
    source: entry.resolved,
    dev: entry.dev === true || undefined,
    imported: [],
    location,
  };
}
