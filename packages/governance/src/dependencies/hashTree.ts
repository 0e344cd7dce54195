import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';

/** Folders that are tooling state, not the dependency's content. */
const skipped = new Set(['.git', 'node_modules']);

/**
 * The content hash of a folder, as an SRI string (`sha256-<base64>`): sha256 over each file's
 * relative path and sha256, in path order. `.git` and `node_modules` are left out, so a checkout
 * hashes the same wherever it lives; a symbolic link counts by its target, never followed.
 */
export function hashTree(dir: string): string {
  const lines: string[] = [];
  const walk = (current: string, relative: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true }).sort((a, b) => compare(a.name, b.name))) {
      if (skipped.has(entry.name)) continue;
      const full = path.join(current, entry.name);
      const rel = relative ? `${relative}/${entry.name}` : entry.name;
      const stat = lstatSync(full);
      if (stat.isSymbolicLink()) lines.push(`link ${rel}\0${readlinkSync(full)}`);
      else if (stat.isDirectory()) walk(full, rel);
      else if (stat.isFile()) lines.push(`file ${rel}\0${bytesToHex(sha256(readFileSync(full)))}`);
    }
  };
  walk(dir, '');
  return `sha256-${Buffer.from(sha256(utf8ToBytes(lines.join('\n')))).toString('base64')}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
