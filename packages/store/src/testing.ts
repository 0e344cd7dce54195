import { randomBytes } from 'node:crypto';
import type { PGlite } from '@electric-sql/pglite';
import { type RawBuilder, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, test } from 'vitest';
import type { MigrationName } from './migrations/index.ts';
import { type OpenStoreReturnType, openStore } from './openStore.ts';
import { createPGliteFromInitdb } from './pglite.ts';
import { findPostgresBinaries, type PostgresServer, startPostgres } from './postgres-server.ts';
import type { Engine, StoreClient } from './store.ts';

/**
 * Test helpers: every store suite runs on both engines.
 *
 * PGlite: an in-memory instance per store. A fresh PGlite runs initdb (10–25 s on a loaded
 * machine); the first one's data folder is saved as a tarball in the temp folder and later ones
 * load it (2–5 s).
 *
 * PostgreSQL: `TEST_DATABASE_URL` when set (its role needs CREATEDB), else a throwaway cluster
 * started from the local binaries (see postgres-server.ts). Each store gets its own database,
 * dropped after the suite. Without either, the PostgreSQL half is skipped with the reason, unless
 * `BULWARK_REQUIRE_POSTGRES=1` (CI), where it fails.
 */

export type StoreTestContext = {
  readonly engine: Engine;
  /** The suite's store: a new, empty database migrated to the latest schema. */
  readonly store: OpenStoreReturnType;
  /** Opens another new, empty database on the same engine; closed and dropped after the suite. */
  open(parameters?: { migrateTo?: MigrationName | undefined }): Promise<OpenStoreReturnType>;
};

type Backend = {
  open(migrateTo: MigrationName | undefined): Promise<{ store: OpenStoreReturnType; dispose(): Promise<void> }>;
};

/** Runs `fn` twice: once on in-memory PGlite, once on PostgreSQL. */
export function describeStore(name: string, fn: (ctx: StoreTestContext) => void): void {
  describe(`${name} [pglite]`, () => {
    defineSuite('pglite', pgliteBackend, fn);
  });
  describe(`${name} [postgres]`, async () => {
    const backend = await postgresBackend();
    if ('skip' in backend) {
      test.skip(`skipped: ${backend.skip}`, () => {});
      return;
    }
    defineSuite('postgres', backend, fn);
  });
}

function defineSuite(engine: Engine, backend: Backend, fn: (ctx: StoreTestContext) => void): void {
  const disposers: (() => Promise<void>)[] = [];
  let main: OpenStoreReturnType | undefined;
  const open = async (parameters: { migrateTo?: MigrationName | undefined } = {}) => {
    const opened = await backend.open(parameters.migrateTo);
    disposers.push(opened.dispose);
    return opened.store;
  };
  beforeAll(async () => {
    main = await open();
  });
  afterAll(async () => {
    for (const dispose of disposers.splice(0).reverse()) await dispose();
  });
  fn({
    engine,
    get store() {
      if (!main) throw new Error('The store opens in beforeAll; use ctx.store inside tests and hooks.');
      return main;
    },
    open,
  });
}

// PGlite

const pgliteBackend: Backend = {
  async open(migrateTo) {
    const store = await openStore({ pglite: await memoryPGlite(), migrateTo });
    return { store, dispose: () => store.close() };
  },
};

/** A new in-memory PGlite, started from a saved initdb when there is one. */
export const memoryPGlite = (): Promise<PGlite> => createPGliteFromInitdb();

// PostgreSQL

let server: Promise<PostgresServer> | undefined;

/**
 * A PostgreSQL URL whose role may create databases: `TEST_DATABASE_URL`, or the superuser of a
 * cluster this process starts (once). `skip` says what is missing when there is neither.
 */
export async function postgresAdminUrl(): Promise<{ url: string } | { skip: string }> {
  const required = process.env.BULWARK_REQUIRE_POSTGRES === '1';
  if (process.env.TEST_DATABASE_URL) return { url: process.env.TEST_DATABASE_URL };
  const binaries = findPostgresBinaries();
  if ('missing' in binaries) {
    const reason = `PostgreSQL half not run: TEST_DATABASE_URL is not set and ${binaries.missing}`;
    if (required) throw new Error(reason);
    warnOnce(reason);
    return { skip: reason };
  }
  server ??= startPostgres(binaries);
  try {
    return { url: (await server).url };
  } catch (error) {
    const reason = `PostgreSQL half not run: a local cluster could not be started (${(error as Error).message.split('\n')[0]})`;
    if (required) throw error;
    warnOnce(`${reason}\n${(error as Error).message}`);
    return { skip: reason };
  }
}

/** A new, empty database next to the admin URL's; `drop()` removes it even with connections open. */
export async function createTestDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const database = `bulwark_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `create database ${database}`);
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return { url: url.toString(), drop: () => dropDatabase(adminUrl, database) };
}

/**
 * Drops a test database. `with (force)` ends our own leftover sessions, but an autovacuum worker
 * that happens to be in the database cannot be ended by a non-superuser (42501): wait and retry.
 */
async function dropDatabase(adminUrl: string, database: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await adminQuery(adminUrl, `drop database if exists ${database} with (force)`, { raw: true });
      return;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt >= 20 || (code !== '42501' && code !== '55006')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

async function postgresBackend(): Promise<Backend | { skip: string }> {
  const admin = await postgresAdminUrl();
  if ('skip' in admin) return admin;
  return {
    async open(migrateTo) {
      const database = await createTestDatabase(admin.url);
      let store: OpenStoreReturnType;
      try {
        store = await openStore({ url: database.url, migrateTo, poolSize: 5 });
      } catch (error) {
        await database.drop();
        throw error;
      }
      return {
        store,
        dispose: async () => {
          await store.close();
          await database.drop();
        },
      };
    },
  };
}

async function adminQuery(url: string, text: string, options: { raw?: boolean } = {}): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } catch (error) {
    if ((error as { code?: string }).code === '42501' && !options.raw)
      throw new Error(`The role of TEST_DATABASE_URL cannot create databases: grant it CREATEDB (${text}).`);
    throw error;
  } finally {
    await client.end();
  }
}

const warned = new Set<string>();
function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  console.warn(`[@bulwark/store] ${message}`);
}

/**
 * Each query's plan (EXPLAIN) with sequential scans priced out, on one connection: whether an
 * index serves the query, and whether rows still get sorted.
 */
export async function plansWithoutSeqScan<K extends string>(
  store: StoreClient,
  queries: Record<K, RawBuilder<unknown>>,
): Promise<Record<K, string>> {
  return store.db.connection().execute(async (db) => {
    await sql`set enable_seqscan = off`.execute(db);
    try {
      const plans = {} as Record<K, string>;
      for (const [name, query] of Object.entries(queries) as [K, RawBuilder<unknown>][])
        plans[name] = (await sql<{ 'QUERY PLAN': string }>`explain ${query}`.execute(db)).rows
          .map((row) => row['QUERY PLAN'])
          .join('\n');
      return plans;
    } finally {
      await sql`reset enable_seqscan`.execute(db);
    }
  });
}
