import {
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { StoreLockedError, StoreOpenError } from './errors.ts';
import { pgliteParsers } from './types.ts';

/** The PostgreSQL major version inside PGlite 0.5; its data folders say so in PG_VERSION. */
export const PGLITE_PG_MAJOR = '18';

export const MEMORY = 'memory://';

/**
 * PostgreSQL's default 128 MB of shared buffers is touched when PGlite starts: a hundred MB of
 * memory for every command, even one that reads ten rows. The store's data is small; 32 MB holds
 * it, and reads past that go to the operating system's file cache.
 */
export const pgliteSharedBuffers = '32MB';

/** The options every PGlite of the store opens with: its type parsers and its memory settings. */
export const pgliteOptions = {
  parsers: pgliteParsers,
  startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${pgliteSharedBuffers}`],
};

/** An in-memory PGlite with the store's options. */
export async function createMemoryPGlite(options: { loadDataDir?: Blob } = {}): Promise<PGlite> {
  return PGlite.create({ ...pgliteOptions, ...options });
}

function pgliteVersion(): string {
  let dir = dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
  while (dir !== dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (manifest.name === '@electric-sql/pglite') return manifest.version ?? 'unknown';
    }
    dir = dirname(dir);
  }
  return 'unknown';
}

let snapshot: Blob | undefined;

/**
 * A new PGlite (in memory, or in a new folder), started from a saved initdb when there is one.
 * initdb in WebAssembly takes most of a first open (~20 s and ~1 GB on a busy machine); loading
 * its result takes a few seconds and a third of the memory. The first new database of a PGlite
 * version on the machine runs initdb and saves the result (in the temp folder) for the next ones.
 */
export async function createPGliteFromInitdb(dataDir?: string | undefined): Promise<PGlite> {
  const create = (options: { loadDataDir?: Blob } = {}) =>
    dataDir === undefined ? createMemoryPGlite(options) : PGlite.create(dataDir, { ...pgliteOptions, ...options });
  const file = join(tmpdir(), `bulwark-pglite-${pgliteVersion()}-initdb.tar`);
  if (!snapshot && existsSync(file)) snapshot = new Blob([readFileSync(file)]);
  if (snapshot) {
    try {
      return await create({ loadDataDir: snapshot });
    } catch {
      // A damaged snapshot: start from scratch and save a new one.
      snapshot = undefined;
      rmSync(file, { force: true });
      if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
    }
  }
  const pglite = await create();
  const dump = await pglite.dumpDataDir('none');
  snapshot = dump;
  try {
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, Buffer.from(await dump.arrayBuffer()));
    renameSync(temporary, file);
  } catch {
    // Only a speed-up: a temp folder that cannot be written costs the next open its initdb.
  }
  return pglite;
}

/**
 * A new PGlite folder, copied from a saved initdb folder (one per PGlite version, in the temp
 * folder). Copying files costs no memory; loading the initdb tarball held it three times over
 * (file, Blob, PGlite's copy), which put a first open ~130 MB above a reopen. The first new folder
 * of a PGlite version on the machine builds the saved folder from the tarball or initdb.
 */
export async function createPGliteFolder(
  dataDir: string,
  template = join(tmpdir(), `bulwark-pglite-${pgliteVersion()}-initdb`),
): Promise<PGlite> {
  if (!existsSync(join(template, 'PG_VERSION'))) await saveTemplateFolder(template);
  if (existsSync(join(template, 'PG_VERSION'))) {
    try {
      cpSync(template, dataDir, { recursive: true });
      return await PGlite.create(dataDir, pgliteOptions);
    } catch {
      // A damaged saved folder: drop it and start this one from the tarball or initdb.
      rmSync(template, { recursive: true, force: true });
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  return createPGliteFromInitdb(dataDir);
}

/** Builds the saved initdb folder: a PGlite closed cleanly (checkpointed), renamed into place. */
async function saveTemplateFolder(template: string): Promise<void> {
  const building = `${template}.${process.pid}.tmp`;
  try {
    rmSync(building, { recursive: true, force: true });
    const pglite = await createPGliteFromInitdb(building);
    await pglite.close();
    renameSync(building, template);
  } catch {
    // Only a speed-up (another process may have saved it first): the caller falls back.
    rmSync(building, { recursive: true, force: true });
  }
}

/**
 * Opens PGlite on a folder after checking the folder is one PGlite can use: empty or missing (a
 * new database is created), or a PGlite data folder. Anything else (a folder of other files, a
 * PostgreSQL server's data directory) is refused before PGlite writes into it.
 */
export async function openPGliteFolder(dataDir: string): Promise<PGlite> {
  checkFolder(dataDir);
  const fresh = !existsSync(dataDir) || readdirSync(dataDir).length === 0;
  try {
    mkdirSync(dirname(dataDir), { recursive: true });
    if (fresh) return await createPGliteFolder(dataDir);
    return await PGlite.create(dataDir, pgliteOptions);
  } catch (error) {
    throw new StoreOpenError(`Cannot open the PGlite database in ${dataDir}.`, {
      cause: error,
      metaMessages: [
        'Check that the folder is writable and was written by Bulwark (PGlite), not by a PostgreSQL server.',
        'To use a PostgreSQL server instead, set DATABASE_URL.',
      ],
      docsPath: 'store.md#embedded-pglite',
    });
  }
}

function checkFolder(dataDir: string): void {
  if (!existsSync(dataDir)) return;
  if (!statSync(dataDir).isDirectory())
    throw new StoreOpenError(`${dataDir} is a file, not a PGlite data folder.`, {
      metaMessages: ['Point the store at a folder (it is created when missing).'],
      docsPath: 'store.md#embedded-pglite',
    });
  const entries = readdirSync(dataDir);
  if (entries.length === 0) return;
  if (!entries.includes('PG_VERSION'))
    throw new StoreOpenError(`${dataDir} is not a PGlite data folder: it has other files and no PG_VERSION.`, {
      metaMessages: ['Choose an empty or new folder; Bulwark will not write a database among other files.'],
      docsPath: 'store.md#embedded-pglite',
    });
  const version = readFileSync(`${dataDir}/PG_VERSION`, 'utf8').trim();
  // A PostgreSQL server leaves postmaster.opts behind; PGlite never writes it.
  if (entries.includes('postmaster.opts'))
    throw new StoreOpenError(`${dataDir} is a PostgreSQL ${version} server's data directory, not a PGlite folder.`, {
      metaMessages: ['PGlite cannot open it. Run that server and set DATABASE_URL to reach it instead.'],
      docsPath: 'store.md#embedded-pglite',
    });
  if (version !== PGLITE_PG_MAJOR)
    throw new StoreOpenError(
      `${dataDir} holds a PostgreSQL ${version} database; this PGlite needs version ${PGLITE_PG_MAJOR}.`,
      {
        metaMessages: ['Export it with the Bulwark version that wrote it, or open it with that version.'],
        docsPath: 'store.md#embedded-pglite',
      },
    );
}

/**
 * A lock file beside the data folder (`<folder>.lock`, holding the pid): PGlite has no locking of
 * its own, and two processes writing one folder corrupt it. A lock left by a dead process is taken over.
 */
export function lockFolder(dataDir: string): () => void {
  const lockPath = `${dataDir}.lock`;
  mkdirSync(dirname(lockPath), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      const release = () => {
        try {
          if (readFileSync(lockPath, 'utf8').trim() === String(process.pid)) unlinkSync(lockPath);
        } catch {}
      };
      process.once('exit', release);
      return () => {
        process.off('exit', release);
        release();
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(readFileSafely(lockPath), 10);
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder))
        throw new StoreLockedError(`The PGlite database in ${dataDir} is in use by process ${holder}.`, {
          metaMessages: [
            'PGlite serves one process at a time. Stop the other process, or run both against PostgreSQL (DATABASE_URL).',
            `If no such process runs Bulwark, delete ${lockPath}.`,
          ],
          retryable: true,
          docsPath: 'store.md#embedded-pglite',
        });
      try {
        unlinkSync(lockPath);
      } catch {}
    }
  }
  throw new StoreLockedError(`Cannot take the lock ${lockPath}.`, { retryable: true });
}

function readFileSafely(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
