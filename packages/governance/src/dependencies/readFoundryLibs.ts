import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { readFoundryConfig } from '@bulwark/solidity';
import type { Dependency } from './dependency.ts';
import { hashTree } from './hashTree.ts';

export type FoundryLib = Dependency & { ecosystem: 'foundry'; folder: string };

/** The library folders of a Foundry project: foundry.toml `libs`, else `lib`. */
export function foundryLibFolders(root: string): string[] {
  return readFoundryConfig(root)?.libs ?? ['lib'];
}

/**
 * Each library under the project's lib folders (`forge install` puts git submodules there):
 * version = the checked-out commit when the submodule's git data is at hand, else `unversioned`;
 * integrity = the content hash of the folder, so an edit inside `lib/` shows even at the same commit.
 */
export function readFoundryLibs(root: string): FoundryLib[] {
  const libs: FoundryLib[] = [];
  for (const lib of foundryLibFolders(root)) {
    const dir = path.join(root, lib);
    if (!isDirectory(dir)) continue;
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.name.startsWith('.') || !entry.isDirectory()) continue;
      const folder = path.join(dir, entry.name);
      libs.push({
        ecosystem: 'foundry',
        name: entry.name,
        version: gitCommit(folder) ?? 'unversioned',
        integrity: hashTree(folder),
        source: `${lib}/${entry.name}`,
        imported: [],
        folder,
      });
    }
  }
  return libs;
}

/** The commit checked out in a git working tree or submodule, read from its git files (no git binary needed). */
export function gitCommit(folder: string): string | undefined {
  const gitDir = resolveGitDir(folder);
  if (!gitDir) return undefined;
  const head = readText(path.join(gitDir, 'HEAD'));
  if (!head) return undefined;
  if (/^[0-9a-f]{40}$/.test(head)) return head;
  const ref = /^ref: (.+)$/.exec(head)?.[1];
  if (!ref) return undefined;
  const loose = readText(path.join(gitDir, ref));
  if (loose && /^[0-9a-f]{40}$/.test(loose)) return loose;
  // Refs may be packed, in the submodule's own git dir or (for worktrees) the common one.
  for (const dir of [gitDir, readText(path.join(gitDir, 'commondir'))].filter(Boolean) as string[]) {
    const packed = readText(path.join(path.resolve(gitDir, dir), 'packed-refs'));
    const line = packed?.split('\n').find((l) => l.endsWith(` ${ref}`));
    if (line) return line.slice(0, 40);
  }
  return undefined;
}

function resolveGitDir(folder: string): string | undefined {
  const dotGit = path.join(folder, '.git');
  if (!existsSync(dotGit)) return undefined;
  if (isDirectory(dotGit)) return dotGit;
  // A submodule's `.git` is a file: `gitdir: ../../.git/modules/lib/name`.
  const pointer = /^gitdir: (.+)$/m.exec(readText(dotGit) ?? '')?.[1];
  return pointer ? path.resolve(folder, pointer.trim()) : undefined;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function isDirectory(p: string): boolean {
  return statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
}
