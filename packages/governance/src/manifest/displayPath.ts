import { isAbsolute, relative } from 'node:path';

/** A path as messages show it: relative to `dir` when inside it, else absolute. */
export function displayPath(dir: string, file: string): string {
  const rel = relative(dir, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}
