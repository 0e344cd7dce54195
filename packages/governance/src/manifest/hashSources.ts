import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ManifestContract } from './types.ts';

/** sha256 of a file's bytes, hex; undefined when it cannot be read. */
export function hashFile(path: string): string | undefined {
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch {
    return undefined;
  }
}

/**
 * A contract's sources hash: sha256 over `<sha256 of the file>  <path>` lines (as `sha256sum`
 * prints them), in the order of `sources`. Documents record it as `sourcesHash` when brought up
 * to date. Undefined when a source cannot be read.
 */
export function hashSources(contract: Pick<ManifestContract, 'sources'>, dir: string): string | undefined {
  const lines: string[] = [];
  for (const source of contract.sources) {
    const hash = hashFile(resolve(dir, source));
    if (hash === undefined) return undefined;
    lines.push(`${hash}  ${source}\n`);
  }
  return createHash('sha256').update(lines.join('')).digest('hex');
}
