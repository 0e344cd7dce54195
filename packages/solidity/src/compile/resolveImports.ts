import { statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { readFoundryConfig } from './readFoundryConfig.ts';
import { type Remapping, readRemappings } from './readRemappings.ts';

export type ResolvedImport =
  | { found: true; path: string }
  | {
      found: false;
      /** Three lines: what was not found and where it is imported; where we looked; the fix. */
      message: string;
      /** Every absolute path tried, in order. */
      searched: string[];
      /** How to fix it, e.g. add a remapping or install the package. */
      fix: string;
    };

export type ImportResolver = {
  readonly root: string;
  readonly remappings: readonly Remapping[];
  /** Resolves `importPath` as written in `fromFile` (an absolute path) to an absolute path. */
  resolve(importPath: string, fromFile: string): ResolvedImport;
};

export type CreateImportResolverParameters = {
  /** Project root: remapping targets, root-relative imports and `lib/` are taken from here. */
  root: string;
  /** Default: read from remappings.txt, foundry.toml and lib/*. */
  remappings?: readonly Remapping[] | undefined;
  /** Foundry library folders. Default: foundry.toml `libs`, else `lib`. */
  libs?: readonly string[] | undefined;
};

/**
 * Resolves imports the way solc, Foundry and Hardhat find them: relative to the importing file;
 * through remappings; from the project root; from `node_modules` (walking up from the importing
 * file, then from the root); then Foundry's `lib/<name>/src` conventions for a missing remapping.
 */
export function createImportResolver(parameters: CreateImportResolverParameters): ImportResolver {
  const root = resolve(parameters.root);
  const remappings = parameters.remappings ?? readRemappings(root);
  const libs = parameters.libs ?? readFoundryConfig(root)?.libs ?? ['lib'];

  function resolveImport(importPath: string, fromFile: string): ResolvedImport {
    const searched: string[] = [];
    const attempt = (candidate: string): string | undefined => {
      if (searched.includes(candidate)) return undefined;
      searched.push(candidate);
      return isFile(candidate) ? candidate : undefined;
    };

    if (importPath.startsWith('./') || importPath.startsWith('../')) {
      const found = attempt(resolve(dirname(fromFile), importPath));
      return found ? { found: true, path: found } : notFound(importPath, fromFile, searched, 'relative');
    }
    if (isAbsolute(importPath)) {
      const found = attempt(importPath);
      return found ? { found: true, path: found } : notFound(importPath, fromFile, searched, 'relative');
    }

    const remapped = remapImport(importPath, remappings);
    const candidates = [
      ...(remapped === importPath ? [] : [resolve(root, remapped)]),
      resolve(root, importPath),
      ...nodeModulesCandidates(importPath, dirname(fromFile)),
      ...nodeModulesCandidates(importPath, root),
      ...libCandidates(importPath, root, libs),
    ];
    for (const candidate of candidates) {
      const found = attempt(candidate);
      if (found) return { found: true, path: found };
    }
    return notFound(importPath, fromFile, searched, 'package');
  }

  function notFound(importPath: string, fromFile: string, searched: string[], kind: 'relative' | 'package') {
    const shown = (p: string) => (p.startsWith(`${root}/`) ? relative(root, p) : p);
    const list = searched.length > 8 ? [...searched.slice(0, 8), `… ${searched.length - 8} more`] : searched;
    const first = importPath.split('/')[0]!;
    const prefix = first.startsWith('@') ? importPath.split('/').slice(0, 2).join('/') : first;
    const fix =
      kind === 'relative'
        ? 'Fix: check the path and its case.'
        : `Fix: add a remapping such as "${prefix}/=<folder>/" to remappings.txt or foundry.toml, ` +
          `or install the package (npm install ${prefix}, or forge install).`;
    const message = [
      `Import "${importPath}" in ${shown(fromFile)} not found.`,
      `Looked in: ${list.map(shown).join(', ')}.`,
      fix,
    ].join('\n');
    return { found: false as const, message, searched, fix };
  }

  return { root, remappings, resolve: resolveImport };
}

/**
 * Applies the longest matching remapping prefix, as solc does (contexts are ignored). Returns the
 * path unchanged when none matches.
 */
export function remapImport(importPath: string, remappings: readonly Remapping[]): string {
  let best: Remapping | undefined;
  for (const r of remappings) {
    if (importPath.startsWith(r.prefix) && (!best || r.prefix.length > best.prefix.length)) best = r;
  }
  return best ? best.target + importPath.slice(best.prefix.length) : importPath;
}

function nodeModulesCandidates(importPath: string, from: string): string[] {
  const out: string[] = [];
  let dir = from;
  for (;;) {
    if (!dir.endsWith('/node_modules')) out.push(join(dir, 'node_modules', importPath));
    const parent = dirname(dir);
    if (parent === dir) return out;
    dir = parent;
  }
}

/** `forge-std/Test.sol` -> lib/forge-std/src/Test.sol; `@openzeppelin/contracts/X.sol` -> lib/openzeppelin-contracts/contracts/X.sol. */
function libCandidates(importPath: string, root: string, libs: readonly string[]): string[] {
  const parts = importPath.split('/');
  const names: { name: string; rest: string }[] = [];
  if (parts[0]!.startsWith('@') && parts.length > 2) {
    const scope = parts[0]!.slice(1);
    const pkg = parts[1]!;
    const rest = parts.slice(2).join('/');
    names.push({ name: `${scope}-${pkg}`, rest }, { name: pkg, rest });
  } else if (parts.length > 1) {
    names.push({ name: parts[0]!, rest: parts.slice(1).join('/') });
  }
  const out: string[] = [];
  for (const lib of libs) {
    for (const { name, rest } of names) {
      for (const inner of ['src', '', 'contracts']) out.push(join(root, lib, name, inner, rest));
    }
  }
  return out;
}

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}
