import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createImportResolver, findImports } from '@bulwark/solidity';

export type ExternalImport = {
  /** Absolute path of the imported file. */
  file: string;
  /** Where it lives: an npm package folder or a Foundry library folder. */
  kind: 'npm' | 'foundry';
  /** The package or library folder. */
  packageDir: string;
};

export type TraceImportsReturnType = {
  /** The given sources and every project file they import, directly or not: absolute, sorted. */
  local: string[];
  /** Imported files of packages and libraries (node_modules, Foundry lib folders). */
  external: ExternalImport[];
  /** Imports that resolve nowhere, with the resolver's message (what, where it looked, the fix). */
  unresolved: { import: string; from: string; message: string }[];
};

export type TraceImportsParameters = {
  /** The project root (the manifest's folder). */
  root: string;
  /** Absolute paths of the contract sources. */
  sources: string[];
  /** Foundry library folders, relative to the root. */
  libs: string[];
};

/**
 * Follows the import statements of the contract sources, resolved as solc, Foundry and Hardhat
 * resolve them, and sorts every file reached into open-source code (a file of an npm package or
 * a Foundry library) and project code (any other file, even outside the root: a manifest may
 * list sources from a sibling folder).
 */
export function traceImports(parameters: TraceImportsParameters): TraceImportsReturnType {
  const root = path.resolve(parameters.root);
  const resolver = createImportResolver({ root, libs: parameters.libs });
  const libDirs = parameters.libs.map((lib) => path.join(root, lib));
  const local = new Set<string>();
  const external = new Map<string, ExternalImport>();
  const unresolved: TraceImportsReturnType['unresolved'] = [];
  const seen = new Set<string>();
  const queue = parameters.sources.map((file) => path.resolve(file));
  for (const file of queue) local.add(file);

  while (queue.length > 0) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    let content: string;
    try {
      content = readFileSync(file, 'utf8');
    } catch {
      continue; // A missing source is reported by whoever needs its content (the release digest).
    }
    for (const statement of findImports(content)) {
      const resolved = resolver.resolve(statement.path, file);
      if (!resolved.found) {
        unresolved.push({ import: statement.path, from: path.relative(root, file), message: resolved.message });
        continue;
      }
      const target = resolved.path;
      const where = classify(target, libDirs);
      if (!where) local.add(target);
      else if (!external.has(target)) external.set(target, { file: target, ...where });
      queue.push(target);
    }
  }
  return {
    local: [...local].sort(),
    external: [...external.values()].sort((a, b) => (a.file < b.file ? -1 : 1)),
    unresolved,
  };
}

function classify(file: string, libDirs: string[]): Omit<ExternalImport, 'file'> | undefined {
  const parts = file.split(path.sep);
  const nodeModules = parts.lastIndexOf('node_modules');
  if (nodeModules !== -1 && nodeModules + 1 < parts.length - 1) {
    const scoped = parts[nodeModules + 1]!.startsWith('@');
    return { kind: 'npm', packageDir: parts.slice(0, nodeModules + (scoped ? 3 : 2)).join(path.sep) };
  }
  for (const libDir of libDirs) {
    if (file.startsWith(`${libDir}${path.sep}`)) {
      const name = file.slice(libDir.length + 1).split(path.sep)[0]!;
      return { kind: 'foundry', packageDir: path.join(libDir, name) };
    }
  }
  return undefined;
}
