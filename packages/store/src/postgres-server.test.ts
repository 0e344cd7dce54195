import { existsSync } from 'node:fs';
import { inspect } from 'node:util';
import { describe, expect, test } from 'vitest';
import { StoreOpenError } from './errors.ts';
import { migrationNames } from './migrations/index.ts';
import { openStore } from './openStore.ts';
import { findPostgresBinaries, startPostgres } from './postgres-server.ts';
import { createTestDatabase, postgresAdminUrl } from './testing.ts';

const binaries = findPostgresBinaries();

describe.skipIf('missing' in binaries)('startPostgres', () => {
  test('default: a password-protected cluster on 127.0.0.1 that stop() removes', async () => {
    const server = await startPostgres();
    const url = new URL(server.url);
    expect(url.hostname).toBe('127.0.0.1');
    expect(url.password.length).toBeGreaterThan(10);
    const store = await openStore({ url: server.url });
    expect(store).toMatchObject({ engine: 'postgres', location: `127.0.0.1:${server.port}/postgres` });
    await store.close();

    // A wrong password is refused by the server (scram), not let in.
    url.password = 'wrong';
    const refused = await openStore({ url: url.toString() }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StoreOpenError);
    expect((refused as Error).message).toMatch(/rejected the credentials of user "postgres"/);

    await server.stop();
    expect(existsSync(server.dataDir)).toBe(false);
    const gone = await openStore({ url: server.url }).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(StoreOpenError);
    expect((gone as StoreOpenError).retryable).toBe(true);
  }, 120_000);
});

describe('openStore on a PostgreSQL server', async () => {
  const admin = await postgresAdminUrl();
  if ('skip' in admin) {
    test.skip(`skipped: ${admin.skip}`, () => {});
    return;
  }

  test('error: wrong credentials and a missing database say so, without the password', async () => {
    const url = new URL(admin.url);
    const password = 'not-the-password-4242';
    url.password = password;
    const refused = await openStore({ url: url.toString() }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StoreOpenError);
    expect((refused as StoreOpenError).retryable).toBe(false);
    expect(inspect(refused, { depth: 10 })).not.toContain(password);

    const missing = new URL(admin.url);
    missing.pathname = '/no_such_database';
    const error = await openStore({ url: missing.toString() }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/has no database "no_such_database"[\s\S]*createdb no_such_database/);
    expect(inspect(error, { depth: 10 })).not.toContain(new URL(admin.url).password || '\u0000');
  });

  test('behavior: a second open of the same database runs no migration and sees the data', async () => {
    const database = await createTestDatabase(admin.url);
    try {
      const first = await openStore({ url: database.url });
      await first.db.insertInto('chains').values({ chain_id: 5, name: 'goerli' }).execute();
      const second = await openStore({ url: database.url });
      expect(second.migrations.applied).toEqual([]);
      expect(await second.db.selectFrom('chains').select('name').execute()).toEqual([{ name: 'goerli' }]);
      await Promise.all([first.close(), second.close()]);
    } finally {
      await database.drop();
    }
  });

  test('behavior: stores opened at the same time on a new database migrate it once', async () => {
    const database = await createTestDatabase(admin.url);
    try {
      const stores = await Promise.all([1, 2, 3].map(() => openStore({ url: database.url })));
      expect(stores.map((s) => s.migrations.applied.length).sort()).toEqual([0, 0, migrationNames.length]);
      await Promise.all(stores.map((s) => s.close()));
    } finally {
      await database.drop();
    }
  });
});
