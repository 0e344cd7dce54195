import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readFoundryConfig } from './readFoundryConfig.ts';

/** `prefix=target`: an import starting with prefix is read from target instead. */
export type Remapping = {
  /** Set for `context:prefix=target`; kept for display, resolution ignores it. */
  context?: string | undefined;
  prefix: string;
  /** Relative to the project root unless absolute. */
  target: string;
};

/** Parses one remapping line; undefined for blank lines, comments and lines without `=`. */
export function parseRemapping(line: string): Remapping | undefined {
  const text = line.trim();
  if (text === '' || text.startsWith('#')) return undefined;
  const eq = text.indexOf('=');
  if (eq <= 0) return undefined;
  let prefix = text.slice(0, eq).trim();
  let target = text.slice(eq + 1).trim();
  let context: string | undefined;
  const colon = prefix.indexOf(':');
  if (colon !== -1) {
    context = prefix.slice(0, colon);
    prefix = prefix.slice(colon + 1);
  }
  if (prefix === '') return undefined;
  target = target.replace(/^\.\//, '');
  // Foundry's normalisation: `@oz/=lib/oz` means `lib/oz/`.
  if (prefix.endsWith('/') && target !== '' && !target.endsWith('/')) target += '/';
  return context ? { context, prefix, target } : { prefix, target };
}

/**
 * The remappings of a project: `remappings.txt`, then foundry.toml's `remappings` (an earlier
 * prefix wins), then those each library in `lib/` declares for itself, rebased onto its folder
 * (that is how forge finds `@openzeppelin/contracts/` inside lib/openzeppelin-contracts).
 */
export function readRemappings(root: string): Remapping[] {
  const foundry = readFoundryConfig(root);
  const own = [...readRemappingsTxt(root), ...(foundry?.remappings ?? []).map(parseRemapping)].filter(
    (r): r is Remapping => r !== undefined,
  );
  const result: Remapping[] = [];
  const add = (r: Remapping) => {
    if (!result.some((x) => x.prefix === r.prefix && x.context === r.context)) result.push(r);
  };
  own.forEach(add);
  for (const lib of foundry?.libs ?? ['lib']) {
    for (const name of listDirectories(join(root, lib))) {
      const base = `${lib}/${name}/`;
      const libRoot = join(root, lib, name);
      const declared = [
        ...readRemappingsTxt(libRoot),
        ...(readFoundryConfig(libRoot)?.remappings ?? []).map(parseRemapping),
      ].filter((r): r is Remapping => r !== undefined);
      for (const r of declared) {
        if (r.context !== undefined) continue;
        add({ prefix: r.prefix, target: r.target.startsWith('/') ? r.target : base + r.target.replace(/^\.\//, '') });
      }
    }
  }
  return result;
}

function readRemappingsTxt(root: string): (Remapping | undefined)[] {
  try {
    return readFileSync(join(root, 'remappings.txt'), 'utf8').split(/\r?\n/).map(parseRemapping);
  } catch {
    return [];
  }
}

function listDirectories(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() || entry.isSymbolicLink())
      .map((entry) => entry.name)
      .sort();
  } catch {
    return [];
  }
}
