import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';
import { writeAtomically } from './writeAtomically.ts';

export type CachedScript = {
  /** What the file put in `module.exports`. */
  exports: unknown;
  /** Whether V8 took its code from the cache file instead of compiling the source. */
  fromCache: boolean;
  /**
   * Writes the cache (once, when it was missing or stale) with the bytecode of every function run
   * so far: call it after the first real use, so that the cache holds what later loads need.
   */
  saveCache(): void;
};

/**
 * Runs a CommonJS file as `require` would (its own `require`, `module`, `__dirname`), compiled
 * through V8's code cache kept in `cacheFile`: a load then skips parsing and compiling what the
 * cache holds. The cache is keyed by the file's size and mtime and by Node's version; V8 rejects
 * one it cannot use (another V8, other flags), which is then written again. Cache files that
 * cannot be read or written only cost the saving.
 */
export function runCachedScript(
  file: string,
  cacheFile: string,
  options: {
    cacheIf?: ((source: string) => boolean) | undefined;
    /** More variables the file sees, as `require` and `module` (e.g. Emscripten's `Module`). */
    parameters?: Record<string, unknown> | undefined;
  } = {},
): CachedScript {
  const source = readFileSync(file, 'utf8');
  const useCache = options.cacheIf?.(source) ?? true;
  const keyed = `${cacheFile}.${cacheKey(file)}`;
  let cachedData: Buffer | undefined;
  try {
    if (useCache) cachedData = readFileSync(keyed);
  } catch {
    // No cache yet.
  }
  const extra = Object.entries(options.parameters ?? {});
  const names = ['exports', 'require', 'module', '__filename', '__dirname', ...extra.map(([name]) => name)];
  const script = new Script(`(function (${names.join(', ')}) {${source}\n})`, {
    filename: file,
    cachedData,
  });
  const fromCache = cachedData !== undefined && !script.cachedDataRejected;
  const module = { exports: {} as unknown, filename: file, id: file, loaded: false };
  (script.runInThisContext() as (...args: unknown[]) => void).call(
    module.exports,
    module.exports,
    createRequire(file),
    module,
    file,
    dirname(file),
    ...extra.map(([, value]) => value),
  );
  module.loaded = true;
  let pending: Script | undefined = fromCache || !useCache ? undefined : script;
  return {
    exports: module.exports,
    fromCache,
    saveCache() {
      if (!pending) return;
      const data = pending.createCachedData();
      pending = undefined;
      try {
        mkdirSync(dirname(keyed), { recursive: true });
        writeAtomically(keyed, data);
      } catch {
        // A read-only cache: every load compiles, as without one.
      }
    },
  };
}

function cacheKey(file: string): string {
  const stat = statSync(file);
  return createHash('sha256')
    .update(`${stat.size}|${stat.mtimeMs}|${process.version}|${process.arch}`)
    .digest('hex')
    .slice(0, 16);
}
