import { type Dirent, existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { InputError } from '@bulwark/core';
import { foundryCompilers, type ProjectCompilers, readHardhatCompilers } from './projectCompilers.ts';
import { type BuildInfo, readBuildInfo } from './readBuildInfo.ts';
import { readFoundryConfig } from './readFoundryConfig.ts';
import { type Remapping, readRemappings } from './readRemappings.ts';

export type ProjectKind = 'foundry' | 'hardhat' | 'files';

export type Project = {
  kind: ProjectKind;
  /** Absolute project root: remappings, node_modules and build-info are found from here. */
  root: string;
  /** Absolute paths of the Solidity files to analyse, sorted. */
  sources: string[];
  remappings: Remapping[];
  /** Compiler runs left by `forge build` or `npx hardhat compile`, when present. */
  buildInfo?: BuildInfo[] | undefined;
  /** Things skipped on the way (an unreadable build-info file). */
  warnings: string[];
  /** The solc versions foundry.toml or hardhat.config.* configures, when they can be read. */
  compilers?: ProjectCompilers | undefined;
};

const hardhatConfigs = ['hardhat.config.js', 'hardhat.config.ts', 'hardhat.config.cjs', 'hardhat.config.mjs'];

/**
 * Works out what to scan from the paths a user gave. The project folder of a Foundry or Hardhat
 * project (found by walking up to foundry.toml or hardhat.config.*) scans its contract sources and
 * reuses its build-info; files and other folders scan the `.sol` files in them.
 */
export function detectProject(paths: string[]): Project {
  const absolute = (paths.length === 0 ? ['.'] : paths).map((p) => resolve(p));
  for (const [i, path] of absolute.entries()) {
    if (!existsSync(path)) {
      throw new InputError(`Cannot find ${paths[i] ?? path}.`, {
        metaMessages: [`Resolved to ${path}; check the path (relative paths start from ${process.cwd()}).`],
      });
    }
  }
  const base = commonFolder(absolute.map((p) => (isDirectory(p) ? p : dirname(p))));
  const project = findProjectRoot(base);
  const kind: ProjectKind = project?.kind ?? 'files';
  const root = project?.root ?? findUp(base, (dir) => existsSync(join(dir, 'remappings.txt'))) ?? base;
  const foundry = kind === 'foundry' ? readFoundryConfig(root) : undefined;
  const compilers =
    kind === 'foundry'
      ? foundryCompilers(foundry?.solc)
      : project?.config
        ? readHardhatCompilers(root, project.config)
        : undefined;

  const sources = new Set<string>();
  for (const path of absolute) {
    if (!isDirectory(path)) sources.add(path);
    else if (path === root && kind === 'foundry') {
      const skip = new Set(['lib', 'test', 'script', 'node_modules', ...(foundry?.libs ?? [])]);
      if (foundry) for (const folder of [foundry.test, foundry.script]) skip.add(folder);
      collect(join(root, foundry?.src ?? 'src'), skip, true, sources);
    } else if (path === root && kind === 'hardhat')
      collect(join(root, 'contracts'), new Set(['node_modules']), true, sources);
    else collect(path, new Set(['node_modules']), false, sources);
  }

  const buildInfoDir =
    kind === 'foundry'
      ? join(root, foundry?.out ?? 'out', 'build-info')
      : kind === 'hardhat'
        ? join(root, 'artifacts', 'build-info')
        : undefined;
  const read = buildInfoDir && existsSync(buildInfoDir) ? readBuildInfo(buildInfoDir) : undefined;
  return {
    kind,
    root,
    sources: [...sources].sort(),
    remappings: readRemappings(root),
    buildInfo: read?.buildInfo,
    warnings: read?.warnings ?? [],
    compilers,
  };
}

function findProjectRoot(start: string): { kind: 'foundry' | 'hardhat'; root: string; config?: string } | undefined {
  let found: { kind: 'foundry' | 'hardhat'; root: string; config?: string } | undefined;
  findUp(start, (dir) => {
    // Projects with both configs are common; Foundry's remappings and build-info are richer.
    const hardhatConfig = hardhatConfigs.find((name) => existsSync(join(dir, name)));
    if (existsSync(join(dir, 'foundry.toml'))) found = { kind: 'foundry', root: dir };
    else if (hardhatConfig) found = { kind: 'hardhat', root: dir, config: hardhatConfig };
    return found !== undefined;
  });
  return found;
}

/** The git repository `start` is in (the folder holding `.git`), or undefined outside one. */
export function findRepositoryRoot(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, '.git'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Walks up from `start` to the first folder `matches` accepts, stopping at a repository root. */
function findUp(start: string, matches: (dir: string) => boolean): string | undefined {
  let dir = start;
  for (;;) {
    if (matches(dir)) return dir;
    const parent = dirname(dir);
    if (parent === dir || existsSync(join(dir, '.git'))) return undefined;
    dir = parent;
  }
}

function collect(dir: string, skip: Set<string>, skipScripts: boolean, into: Set<string>): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory() || (entry.isSymbolicLink() && isDirectory(path))) {
      if (!skip.has(entry.name)) collect(path, skip, skipScripts, into);
    } else if (entry.name.endsWith('.sol')) {
      if (skipScripts && (entry.name.endsWith('.t.sol') || entry.name.endsWith('.s.sol'))) continue;
      into.add(path);
    }
  }
}

function commonFolder(folders: string[]): string {
  let common = folders[0]!;
  for (const folder of folders.slice(1)) {
    while (folder !== common && !folder.startsWith(common.endsWith(sep) ? common : common + sep)) {
      common = dirname(common);
    }
  }
  return common;
}

function isDirectory(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}
