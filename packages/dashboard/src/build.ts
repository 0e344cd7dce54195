import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BaseError } from '@bulwark/core';

/** The dashboard package's folder: index.html and src/app are its sources. */
export const dashboardRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Where Vite writes the built dashboard (git-ignored). */
export const dashboardDist = join(dashboardRoot, 'dist');
/** Written into dist after a build: the hash of the sources it was built from. */
const stampFile = '.source-hash';

export class DashboardBuildError extends BaseError {
  override name = 'DashboardBuildError';
}

async function listFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && !/\.test\.tsx?$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Hash of everything the build reads from this package, so a changed source means a rebuild. */
export async function dashboardSourceHash(root = dashboardRoot): Promise<string> {
  const files = [
    join(root, 'index.html'),
    join(root, 'package.json'),
    ...(await listFiles(join(root, 'src/app'))),
  ].sort();
  const hash = createHash('sha256');
  // The build's own settings (this file) count too: a changed setting means a rebuild.
  hash.update(await readFile(fileURLToPath(import.meta.url)));
  for (const file of files)
    hash
      .update(relative(root, file))
      .update('\0')
      .update(await readFile(file))
      .update('\0');
  return hash.digest('hex');
}

/** True when dist holds a build of the current sources. */
export async function dashboardIsFresh(root = dashboardRoot): Promise<boolean> {
  const stamp = await readFile(join(root, 'dist', stampFile), 'utf8').catch(() => undefined);
  return stamp !== undefined && stamp === (await dashboardSourceHash(root));
}

const processAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * One builder at a time per folder (test files and servers start in parallel): a lock file
 * holding the builder's pid; a lock left by a process that died is taken over.
 */
async function withBuildLock<T>(root: string, work: () => Promise<T>): Promise<T> {
  const lock = join(root, '.build.lock');
  for (;;) {
    try {
      const handle = await open(lock, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(await readFile(lock, 'utf8').catch(() => ''));
      if (Number.isInteger(holder) && holder > 0 && !processAlive(holder)) await rm(lock, { force: true });
      // The holder is building: wait for its lock to go (no fixed deadline, a busy machine builds slowly).
      else await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lock, { force: true });
  }
}

export type EnsureDashboardBuiltParameters = {
  root?: string | undefined;
  /** Progress lines (building, built); default: stderr. */
  log?: ((line: string) => void) | undefined;
};

export type EnsureDashboardBuiltReturnType = { dist: string; built: boolean };

/**
 * Builds the dashboard with Vite when dist is missing or was built from other sources; a fresh
 * dist is left alone. The new build is written beside dist and swapped in, so a server reading
 * the old one never sees a half-written folder.
 */
export async function ensureDashboardBuilt(
  parameters: EnsureDashboardBuiltParameters = {},
): Promise<EnsureDashboardBuiltReturnType> {
  const root = parameters.root ?? dashboardRoot;
  const log = parameters.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const dist = join(root, 'dist');
  if (await dashboardIsFresh(root)) return { dist, built: false };
  return withBuildLock(root, async () => {
    const hash = await dashboardSourceHash(root);
    if (await dashboardIsFresh(root)) return { dist, built: false };
    const staging = join(root, `.dist-${process.pid}`);
    await rm(staging, { recursive: true, force: true });
    const shown = relative(process.cwd(), root);
    log(
      `dashboard: building ${shown.startsWith('..') ? root : shown || '.'} with Vite (sources changed or no build yet)…`,
    );
    const started = performance.now();
    try {
      const { build } = await import('vite');
      await build({
        root,
        configFile: false,
        logLevel: 'silent',
        mode: 'production',
        // Under a test runner NODE_ENV is `test`, which would ship React's development build and,
        // unless JSX is told otherwise, call its development runtime (absent from the production one).
        define: { 'process.env.NODE_ENV': JSON.stringify('production') },
        oxc: { jsx: { development: false } },
        base: '/',
        build: { outDir: staging, emptyOutDir: true, sourcemap: false, reportCompressedSize: false },
      });
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      throw new DashboardBuildError('The dashboard could not be built.', {
        cause: error,
        metaMessages: [`Run \`npm run build -w @bulwark/dashboard\` to see Vite's output; check ${root}/src/app.`],
        docsPath: 'dashboard.md',
      });
    }
    await writeFile(join(staging, stampFile), hash);
    const old = join(root, `.dist-old-${process.pid}`);
    if (existsSync(dist)) await rename(dist, old);
    await rename(staging, dist);
    await rm(old, { recursive: true, force: true });
    const files = await listFiles(dist);
    let bytes = 0;
    for (const file of files) bytes += (await stat(file)).size;
    log(
      `dashboard: built ${files.length} files (${Math.round(bytes / 1024)} KiB) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    return { dist, built: true };
  });
}
