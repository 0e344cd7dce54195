import { readFileSync } from 'node:fs';
import { compareVersions, parseVersion, satisfiesRange } from './satisfiesRange.ts';
import { stripComments } from './stripComments.ts';

export type SelectSolcVersionReturnType = { version: string } | { version: undefined; reason: string };

/**
 * The solc versions this package ships (its `solc-<version>` npm aliases), oldest first. Read
 * from package.json so that adding a compiler is a one-line dependency change.
 */
export const bundledSolcVersions: readonly string[] = readBundledVersions();

function readBundledVersions(): string[] {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  return Object.keys(manifest.dependencies ?? {})
    .filter((name) => name.startsWith('solc-') && parseVersion(name.slice(5)))
    .map((name) => name.slice(5))
    .sort((a, b) => compareVersions(parseVersion(a)!, parseVersion(b)!));
}

/** The version expressions of every `pragma solidity …;` in a source, comments ignored. */
export function findSolidityPragmas(source: string): string[] {
  return [...stripComments(source).matchAll(/\bpragma\s+solidity\s+([^;]*);/g)].map((m) => m[1]!.trim());
}

/**
 * Picks the newest bundled solc that satisfies every `pragma solidity` in `source` (newest, because
 * it has the fewest compiler bugs and the best error messages). No pragma: the newest bundled.
 */
export function selectSolcVersion(
  source: string,
  options: { bundled?: readonly string[] } = {},
): SelectSolcVersionReturnType {
  const bundled = options.bundled ?? bundledSolcVersions;
  const newestFirst = [...bundled].sort((a, b) => compareVersions(parseVersion(b)!, parseVersion(a)!));
  const bundledList = `bundled: ${bundled.join(', ')}`;
  if (newestFirst.length === 0) return { version: undefined, reason: 'no solc version is bundled' };
  let candidates = newestFirst;
  const seen: string[] = [];
  for (const pragma of findSolidityPragmas(source)) {
    let matches: (version: string) => boolean;
    try {
      satisfiesRange([0, 0, 0], pragma);
      matches = (version) => satisfiesRange(parseVersion(version)!, pragma);
    } catch {
      return { version: undefined, reason: `cannot read pragma solidity ${pragma}` };
    }
    if (!newestFirst.some(matches)) {
      return { version: undefined, reason: `no bundled solc satisfies pragma ${pragma} (${bundledList})` };
    }
    if (!seen.includes(pragma)) seen.push(pragma);
    candidates = candidates.filter(matches);
    if (candidates.length === 0) {
      return {
        version: undefined,
        reason: `no bundled solc satisfies all of pragma ${seen.join(' and ')} (${bundledList})`,
      };
    }
  }
  return { version: candidates[0]! };
}

/**
 * The solc a file will most likely be compiled with, judged from its own pragmas only (its imports
 * and a project's configured compiler can change the choice): the newest bundled release they
 * allow, else the newest of `fetched`. For grouping files so that one loaded compiler serves many;
 * `compileFiles` makes the real choice.
 */
export function likelySolcVersion(source: string, fetched: readonly string[] = []): string | undefined {
  return selectSolcVersion(source).version ?? selectSolcVersion(source, { bundled: fetched }).version;
}
