import { posix } from 'node:path';

/** A path as audit scopes record it: relative to the manifest's folder, forward slashes, no `./`. */
export function scopePath(path: string): string {
  return posix.normalize(path.replaceAll('\\', '/')).replace(/^\.\//, '');
}
