import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Reads report excerpts from disk, relative to the working directory. */
export function readSourceFrom(cwd: string): (file: string) => string | undefined {
  return (file) => {
    try {
      return readFileSync(path.resolve(cwd, file), 'utf8');
    } catch {
      return undefined;
    }
  };
}
