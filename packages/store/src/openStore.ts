import { resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import { type MigrateReturnType, migrate } from './migrate.ts';
import type { MigrationName } from './migrations/index.ts';
import { createMemoryPGlite, lockFolder, MEMORY, openPGliteFolder } from './pglite.ts';
import { pgliteTakingTurns } from './pgliteTurns.ts';
import { connectPool, describeDatabase, parseDatabaseUrl } from './postgres.ts';
import type { Database } from './schema.ts';
import type { Store } from './store.ts';

export type OpenStoreParameters = {
  /**
   * PostgreSQL connection string (the CLI passes `DATABASE_URL`). When set, PostgreSQL is used
   * and `dataDir` is ignored.
   */
  url?: string | undefined;
  /** PGlite data folder; default `.bulwark/db` under `cwd`. `memory://` keeps it in memory. */
  dataDir?: string | undefined;
  /** Base for the default data folder; default `process.cwd()`. */
  cwd?: string | undefined;
  /** An open PGlite to use (the store owns it and closes it): an in-memory copy in tests. */
  pglite?: PGlite | undefined;
  /** Stop migrating at this migration (tests of upgrades); default: the latest. */
  migrateTo?: MigrationName | undefined;
  /** PostgreSQL only. */
  connectTimeoutMs?: number | undefined;
  /** PostgreSQL only: most connections the pool opens. */
  poolSize?: number | undefined;
};

export type OpenStoreReturnType = Store & {
  /** What opening did to the schema. */
  migrations: MigrateReturnType;
};

export const defaultDataDir = (cwd: string = process.cwd()): string => resolve(cwd, '.bulwark', 'db');

type OpenFolder = { db: Kysely<Database>; migrations: MigrateReturnType; unlock: () => void };
/**
 * PGlite folders open once per process and are shared: opening costs seconds and a lot of
 * memory, and two instances on one folder would corrupt it.
 */
const openFolders = new Map<string, { refs: number; opening: Promise<OpenFolder> }>();

/**
 * Opens the store: PostgreSQL when `url` is given, otherwise embedded PGlite in a folder.
 * Pending migrations run before it returns.
 *
 * @example
 * const store = await openStore({ url: process.env.DATABASE_URL });
 * await setCheckpoint(store, { chainId: 1, blockNumber: 19_000_000n, blockHash: '0x…' });
 * await store.close();
 */
export async function openStore(parameters: OpenStoreParameters = {}): Promise<OpenStoreReturnType> {
  // An empty DATABASE_URL counts as unset.
  const url = parameters.url?.trim();
  if (url) return openPostgres({ ...parameters, url });

  if (parameters.pglite)
    return openOwnedPGlite(parameters.pglite, parameters.pglite.dataDir ?? MEMORY, parameters.migrateTo);
  if (parameters.dataDir === MEMORY) return openOwnedPGlite(await createMemoryPGlite(), MEMORY, parameters.migrateTo);
  return openFolder(
    resolve(parameters.cwd ?? process.cwd(), parameters.dataDir ?? defaultDataDir(parameters.cwd)),
    parameters.migrateTo,
  );
}

async function openPostgres(parameters: OpenStoreParameters & { url: string }): Promise<OpenStoreReturnType> {
  const parts = parseDatabaseUrl(parameters.url);
  const pool = await connectPool(parameters);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    const migrations = await migrate(db, { to: parameters.migrateTo });
    let closed = false;
    return {
      db,
      engine: 'postgres',
      location: describeDatabase(parts),
      migrations,
      close: async () => {
        if (closed) return;
        closed = true;
        await db.destroy();
      },
    };
  } catch (error) {
    await db.destroy();
    throw error;
  }
}

async function openOwnedPGlite(
  pglite: PGlite,
  location: string,
  migrateTo: MigrationName | undefined,
): Promise<OpenStoreReturnType> {
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite: pgliteTakingTurns(pglite) }) });
  try {
    const migrations = await migrate(db, { to: migrateTo });
    let closed = false;
    return {
      db,
      engine: 'pglite',
      location,
      migrations,
      close: async () => {
        if (closed) return;
        closed = true;
        await db.destroy();
        if (!pglite.closed) await pglite.close();
      },
    };
  } catch (error) {
    await db.destroy();
    if (!pglite.closed) await pglite.close();
    throw error;
  }
}

async function openFolder(dataDir: string, migrateTo: MigrationName | undefined): Promise<OpenStoreReturnType> {
  let entry = openFolders.get(dataDir);
  if (!entry) {
    const opening = openFolderOnce(dataDir, migrateTo);
    const created = { refs: 0, opening };
    openFolders.set(dataDir, created);
    opening.catch(() => {
      if (openFolders.get(dataDir) === created) openFolders.delete(dataDir);
    });
    entry = created;
  }
  const shared = entry;
  shared.refs++;
  let opened: OpenFolder;
  try {
    opened = await shared.opening;
  } catch (error) {
    shared.refs--;
    throw error;
  }
  let closed = false;
  return {
    db: opened.db,
    engine: 'pglite',
    location: dataDir,
    migrations: opened.migrations,
    close: async () => {
      if (closed) return;
      closed = true;
      shared.refs--;
      if (shared.refs > 0) return;
      if (openFolders.get(dataDir) === shared) openFolders.delete(dataDir);
      try {
        await opened.db.destroy();
      } finally {
        opened.unlock();
      }
    },
  };
}

async function openFolderOnce(dataDir: string, migrateTo: MigrationName | undefined): Promise<OpenFolder> {
  const unlock = lockFolder(dataDir);
  try {
    const pglite = await openPGliteFolder(dataDir);
    const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite: pgliteTakingTurns(pglite) }) });
    try {
      return { db, migrations: await migrate(db, { to: migrateTo }), unlock };
    } catch (error) {
      await db.destroy();
      if (!pglite.closed) await pglite.close();
      throw error;
    }
  } catch (error) {
    unlock();
    throw error;
  }
}
