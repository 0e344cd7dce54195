import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { CompileError } from './errors.ts';
import { bundledSolcVersions } from './selectSolc.ts';

/** What solc's import callback returns: the file's text, or why it cannot be read. */
export type ReadCallbackResult = { contents: string } | { error: string };
export type ReadCallback = (unitName: string) => ReadCallbackResult;

export type Solc = {
  /** Short version, e.g. `0.8.30`. */
  version: string;
  /** solc's own version string, e.g. `0.8.30+commit.73712a01.Emscripten.clang`. */
  longVersion: string;
  /** Runs one standard-JSON compilation; returns solc's JSON output as text. */
  compileStandard(input: string, read: ReadCallback): string;
};

type SolcModule = {
  version(): string;
  compile(input: string, callbacks?: unknown): string;
  compileStandardWrapper?: (input: string, read: ReadCallback) => string;
};

const require = createRequire(import.meta.url);
const cache = new Map<string, Solc>();

/**
 * Loads the bundled solc-js of `version` on first use (each takes ~1 s and ~100 MB, so only the
 * versions a scan needs are loaded) and keeps it for the life of the process.
 */
export function loadSolc(version: string): Solc {
  const cached = cache.get(version);
  if (cached) return cached;
  if (!bundledSolcVersions.includes(version)) {
    throw new CompileError(`solc ${version} is not bundled.`, {
      details: `Bundled versions: ${bundledSolcVersions.join(', ')}.`,
      docsPath: 'scan/compilers.md',
    });
  }
  const solcModule = requireWithoutGlobalHandlers(`solc-${version}`, version);
  const compileStandard = solcModule.compileStandardWrapper
    ? // solc-js 0.4 and 0.5 take the callback itself; 0.4 has no `{ import }` form.
      (input: string, read: ReadCallback) => solcModule.compileStandardWrapper!(input, read)
    : (input: string, read: ReadCallback) => solcModule.compile(input, { import: read });
  const solc: Solc = { version, longVersion: solcModule.version(), compileStandard };
  cache.set(version, solc);
  return solc;
}

/**
 * soljson (Emscripten) installs process-wide `unhandledRejection` and `uncaughtException`
 * handlers that abort or rethrow; they would turn any stray rejection elsewhere in Bulwark into a
 * crash, so the ones it adds are removed again.
 */
function requireWithoutGlobalHandlers(name: string, version: string): SolcModule {
  const emitter = process as unknown as EventEmitter;
  const events = ['unhandledRejection', 'uncaughtException'];
  const before = new Map(events.map((event) => [event, new Set(emitter.listeners(event))]));
  try {
    return require(name) as SolcModule;
  } catch (cause) {
    throw new CompileError(`Cannot load solc ${version} (npm package ${name}).`, {
      cause,
      metaMessages: ['Reinstall the dependencies of @bulwark/solidity (npm ci).'],
      docsPath: 'scan/compilers.md',
    });
  } finally {
    for (const event of events) {
      for (const listener of emitter.listeners(event)) {
        if (!before.get(event)!.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
      }
    }
  }
}
