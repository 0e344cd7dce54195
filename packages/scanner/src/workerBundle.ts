import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { solcCacheDir, writeAtomically } from '@bulwark/solidity';

/** The files a bundle was built from, with what they looked like then. */
type Manifest = { bundle: string; inputs: { path: string; mtimeMs: number; size: number }[] };

const defaultEntry = fileURLToPath(new URL('./worker.ts', import.meta.url));

/** `$BULWARK_CACHE_DIR/worker` (beside the fetched compilers), or the XDG / home equivalent. */
export function workerBundleDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(dirname(solcCacheDir(env)), 'worker');
}

/**
 * The analysis worker as one plain JavaScript file, bundled from its TypeScript sources by esbuild
 * and cached until one of them changes. A worker that loads the sources through tsx starts its own
 * loader thread (~40 MB each) and asks it about every one of ~150 modules; the bundle needs neither.
 * npm packages stay outside the bundle, imported from where they are installed. Undefined when it
 * cannot be built or written (no esbuild, a read-only cache): the caller falls back to tsx.
 */
export async function workerBundle(
  options: { entry?: string | undefined; cacheDir?: string | undefined } = {},
): Promise<URL | undefined> {
  const entry = options.entry ?? defaultEntry;
  const cacheDir = options.cacheDir ?? workerBundleDir();
  const manifestPath = join(cacheDir, `${hashOf(entry).slice(0, 16)}.json`);
  const fresh = readFreshManifest(manifestPath);
  if (fresh) return pathToFileURL(fresh.bundle);
  try {
    return pathToFileURL(await build(entry, cacheDir, manifestPath));
  } catch (error) {
    if (process.env.BULWARK_DEBUG) process.stderr.write(`worker bundle: ${(error as Error).stack ?? error}\n`);
    return undefined;
  }
}

/** The manifest when its bundle exists and no input changed since it was built. */
function readFreshManifest(manifestPath: string): Manifest | undefined {
  try {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
    statSync(manifest.bundle);
    const unchanged = manifest.inputs.every((input) => {
      const stat = statSync(input.path);
      return stat.mtimeMs === input.mtimeMs && stat.size === input.size;
    });
    return unchanged ? manifest : undefined;
  } catch {
    return undefined;
  }
}

async function build(entry: string, cacheDir: string, manifestPath: string): Promise<string> {
  const esbuild = await import('esbuild');
  const workingDir = dirname(entry);
  const result = await esbuild.build({
    entryPoints: [entry],
    absWorkingDir: workingDir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [
      {
        name: 'bulwark-worker',
        setup(plugin) {
          // npm packages are imported from their installed place, as tsx would: their own CommonJS,
          // `__dirname` and lazy `require`s keep working. Workspace packages (.ts) are bundled.
          plugin.onResolve({ filter: /^[^./]/ }, async (args) => {
            if (args.path.startsWith('@bulwark/') || isBuiltin(args.path) || args.pluginData?.inner) return undefined;
            const resolved = await plugin.resolve(args.path, {
              kind: args.kind,
              importer: args.importer,
              resolveDir: args.resolveDir,
              pluginData: { inner: true },
            });
            if (resolved.errors.length > 0) return { errors: resolved.errors };
            return { path: resolved.path, external: true };
          });
          // `import.meta.url` keeps meaning the source file (package.json next to it, createRequire
          // resolving the bundled solc packages), not the bundle in the cache.
          plugin.onLoad({ filter: /\.ts$/ }, (args) => {
            const source = readFileSync(args.path, 'utf8');
            const url = JSON.stringify(pathToFileURL(args.path).href);
            return { contents: source.replaceAll('import.meta.url', url), loader: 'ts' };
          });
        },
      },
    ],
  });
  // The build leaves esbuild's service process running (tens of MB) until it is stopped.
  await esbuild.stop();
  const code = result.outputFiles[0]!.contents;
  mkdirSync(cacheDir, { recursive: true });
  const bundle = join(cacheDir, `worker-${hashOf(code).slice(0, 16)}.mjs`);
  const inputs = Object.keys(result.metafile.inputs).map((input) => {
    const path = resolve(workingDir, input);
    const stat = statSync(path);
    return { path, mtimeMs: stat.mtimeMs, size: stat.size };
  });
  pruneOldBundles(cacheDir);
  writeAtomically(bundle, code);
  writeAtomically(manifestPath, JSON.stringify({ bundle, inputs } satisfies Manifest));
  return bundle;
}

/** Bundles of sources edited since, older than a week: a running scan may still start workers from a recent one. */
function pruneOldBundles(cacheDir: string): void {
  const weekAgo = Date.now() - 7 * 24 * 3600 * 1000;
  for (const name of readdirSync(cacheDir)) {
    if (!/^worker-[0-9a-f]+\.mjs$/.test(name)) continue;
    try {
      if (statSync(join(cacheDir, name)).mtimeMs < weekAgo) rmSync(join(cacheDir, name), { force: true });
    } catch {
      // Removed by another scan meanwhile.
    }
  }
}

function hashOf(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
