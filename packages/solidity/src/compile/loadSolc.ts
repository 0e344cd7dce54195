import type { EventEmitter } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CompileError } from './errors.ts';
import { cachedSoljsonPath, solcCacheDir } from './fetchSolc.ts';
import { runCachedScript } from './runCachedScript.ts';
import { bundledSolcVersions } from './selectSolc.ts';
import { type SplitSoljson, splitSoljson } from './splitSoljson.ts';

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
/** The module files each loaded version added to `require.cache`, so that releasing it frees them. */
const moduleFiles = new Map<string, string[]>();

/**
 * Loads solc-js `version` on first use, bundled or fetched into the cache by `fetchSolc` (each
 * takes ~1 s and ~50–100 MB, so only the versions a scan needs are loaded), and keeps it until
 * `releaseSolc` lets it go.
 */
export function loadSolc(version: string, options: { cacheDir?: string | undefined } = {}): Solc {
  const cached = cache.get(version);
  if (cached) return cached;
  setCompilerFlags();
  const modulesBefore = new Set(Object.keys(require.cache));
  let solcModule: SolcModule;
  let afterFirstRun: (() => void) | undefined;
  const splitDir = options.cacheDir ?? solcCacheDir();
  if (bundledSolcVersions.includes(version)) {
    const soljson = require.resolve(`solc-${version}/soljson.js`);
    const split = trySplit(() => soljson, splitDir);
    // asm.js builds (to 0.5.17) are 9–12 MB of JavaScript: its compiled code is cached beside the splits.
    const loaded = split
      ? runSplit(split, version)
      : withoutGlobalHandlers(`solc-${version}`, version, () =>
          runCachedScript(soljson, join(splitDir, 'split', `solc-${version}.code-cache`)),
        );
    solcModule = wrapperOf(version)(loaded.exports);
    afterFirstRun = loaded.saveCache;
  } else {
    const soljson = cachedSoljsonPath(version, options.cacheDir);
    if (!existsSync(soljson)) {
      throw new CompileError(`solc ${version} is neither bundled nor fetched.`, {
        details: `Bundled versions: ${bundledSolcVersions.join(', ')}.`,
        metaMessages: [`Fetch it first: bulwark compilers fetch ${version}`],
        docsPath: 'scan/compilers.md',
      });
    }
    // A fetched compiler is only its soljson.js; the newest bundled solc-js wrapper drives any
    // soljson from 0.4.11 on, as solc-js's own loadRemoteVersion does.
    const wrap = wrapperOf(bundledSolcVersions.at(-1)!);
    const split = trySplit(() => soljson, splitDir);
    const loaded = split
      ? runSplit(split, version)
      : withoutGlobalHandlers(soljson, version, () =>
          runCachedScript(soljson, `${soljson}.code-cache`, { cacheIf: isAsmJs }),
        );
    solcModule = wrap(loaded.exports);
    afterFirstRun = loaded.saveCache;
  }
  const run = solcModule.compileStandardWrapper
    ? // solc-js 0.4 and 0.5 take the callback itself; 0.4 has no `{ import }` form.
      (input: string, read: ReadCallback) => solcModule.compileStandardWrapper!(input, read)
    : (input: string, read: ReadCallback) => solcModule.compile(input, { import: read });
  const compileStandard = (input: string, read: ReadCallback) => {
    const output = run(input, read);
    afterFirstRun?.();
    afterFirstRun = undefined;
    return output;
  };
  const solc: Solc = { version, longVersion: solcModule.version(), compileStandard };
  cache.set(version, solc);
  moduleFiles.set(
    version,
    Object.keys(require.cache).filter((file) => !modulesBefore.has(file)),
  );
  return solc;
}

/**
 * Forgets every loaded compiler except `keep`, so that the garbage collector can reclaim it: a
 * soljson holds ~50–100 MB (its code and an Emscripten heap that only grows), and a scan of code
 * pinned to many releases would otherwise keep every one it met. A later `loadSolc` loads it again.
 */
export function releaseSolc(keep: Iterable<string> = []): string[] {
  const kept = new Set(keep);
  const released: string[] = [];
  for (const version of [...cache.keys()]) {
    if (kept.has(version)) continue;
    cache.delete(version);
    for (const file of moduleFiles.get(version) ?? []) {
      // A module stays reachable from its parent's `children` (the parent of a package's entry is
      // this file's `require`), and shells that stay reachable (a dependency shared with a later
      // version keeps its first parent) are emptied.
      const loaded = require.cache[file];
      if (!loaded) continue;
      const parent = (loaded as { parent?: NodeModule | null }).parent;
      if (parent) parent.children = parent.children.filter((child) => child !== loaded);
      loaded.exports = {};
      loaded.children = [];
      delete require.cache[file];
    }
    moduleFiles.delete(version);
    released.push(version);
  }
  // Most of a compiler lies outside V8's heap (its WebAssembly code and memory), so the heap alone
  // does not ask for a collection soon: without one, the next compiler loaded beside it.
  if (released.length > 0) collectGarbage?.();
  return released;
}

/** Versions loaded and not released, in load order. */
export function loadedSolcVersions(): string[] {
  return [...cache.keys()];
}

/** The glue and binary of a WebAssembly soljson, or undefined (asm.js; or the cache cannot be written: load it whole). */
function trySplit(soljson: () => string, cacheDir: string): SplitSoljson | undefined {
  try {
    return splitSoljson(soljson(), cacheDir);
  } catch {
    return undefined;
  }
}

/**
 * Runs a split soljson's glue, handing Emscripten the binary through its `instantiateWasm` hook
 * (synchronously, as solc-js expects); the bytes are let go once compiled.
 */
function runSplit(split: SplitSoljson, version: string): ReturnType<typeof runCachedScript> {
  let binary: Buffer | undefined = readFileSync(split.wasm);
  const Module = {
    instantiateWasm(imports: unknown, receive: (instance: WasmInstance, module: unknown) => void) {
      const module = new webAssembly.Module(binary!);
      binary = undefined;
      const instance = new webAssembly.Instance(module, imports);
      receive(instance, module);
      return instance.exports;
    },
  };
  return withoutGlobalHandlers(split.glue, version, () =>
    runCachedScript(split.glue, `${split.glue}.code-cache`, { parameters: { Module } }),
  );
}

/** The part of the WebAssembly global used here (this package's TypeScript libraries do not declare it). */
type WasmInstance = { exports: unknown };
const webAssembly = (
  globalThis as unknown as {
    WebAssembly: {
      Module: new (bytes: Uint8Array) => unknown;
      Instance: new (module: unknown, imports: unknown) => WasmInstance;
    };
  }
).WebAssembly;

/** solc-js's `wrapper` of a bundled release (a default export from 0.8.20 on). */
function wrapperOf(version: string): (soljson: unknown) => SolcModule {
  const loaded = requireWithoutGlobalHandlers(`solc-${version}/wrapper.js`, version) as unknown as
    | ((soljson: unknown) => SolcModule)
    | { default: (soljson: unknown) => SolcModule };
  return typeof loaded === 'function' ? loaded : loaded.default;
}

/**
 * soljson (Emscripten) installs process-wide `unhandledRejection` and `uncaughtException`
 * handlers that abort or rethrow; they would turn any stray rejection elsewhere in Bulwark into a
 * crash, so the ones it adds are removed again.
 */
function requireWithoutGlobalHandlers(name: string, version: string): SolcModule {
  return withoutGlobalHandlers(name, version, () => require(name) as SolcModule);
}

function withoutGlobalHandlers<T>(name: string, version: string, load: () => T): T {
  const emitter = process as unknown as EventEmitter;
  const events = ['unhandledRejection', 'uncaughtException'];
  const before = new Map(events.map((event) => [event, new Set(emitter.listeners(event))]));
  try {
    return load();
  } catch (cause) {
    const fetched = name.endsWith('soljson.js') && !name.startsWith('solc-');
    throw new CompileError(`Cannot load solc ${version} (${fetched ? name : `npm package ${name}`}).`, {
      cause,
      metaMessages: [
        fetched
          ? `Delete ${name} and fetch it again: bulwark compilers fetch ${version}`
          : 'Reinstall the dependencies of @bulwark/solidity (npm ci).',
      ],
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

let collectGarbage: (() => void) | undefined;

/**
 * Set before the first load and never changed: V8 rejects a code cache made under other flags.
 * Process-wide, like every V8 flag.
 * - A solc is loaded, runs a few compilations and is let go: for runs that short V8's baseline
 *   (Liftoff) code for its WebAssembly is ready at once and ~50 MB smaller, and optimising it on
 *   background threads cost more CPU than it saved (a third of solc 0.8's CPU on a dozen files).
 * - `releaseSolc` collects at once (`gc`): see there.
 * - V8's in-process compilation cache kept every asm.js build's script (~20 MB of heap each) after
 *   its release, to compile the same source faster the next time; a scan loads a version once per
 *   worker, and the code cache on disk already makes a reload cheap.
 */
function setCompilerFlags(): void {
  if (collectGarbage) return;
  setFlagsFromString('--liftoff-only');
  setFlagsFromString('--expose-gc');
  setFlagsFromString('--no-validate-asm');
  setFlagsFromString('--no-compilation-cache');
  collectGarbage = runInNewContext('gc') as () => void;
}

/**
 * solc-js up to 0.4.25 is asm.js that V8 cannot validate (it grows its heap through
 * `global.byteLength`, which V8's asm.js never supported), so it runs as 8 MB of plain JavaScript
 * that is parsed and compiled again on every load (~0.4 s of CPU): worth a code cache (V8 would
 * try to validate it, fail, and warn on stderr at every load: `setCompilerFlags` turns that off).
 * wasm builds are split (`splitSoljson`) and cache their glue.
 */
function isAsmJs(source: string): boolean {
  return source.includes('"use asm"');
}
