import { renameSync, rmSync, writeFileSync } from 'node:fs';

/** Written beside and renamed, so that a parallel scan never reads half a file. */
export function writeAtomically(path: string, data: string | Uint8Array): void {
  const partial = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.partial`;
  try {
    writeFileSync(partial, data);
    renameSync(partial, path);
  } finally {
    rmSync(partial, { force: true });
  }
}
