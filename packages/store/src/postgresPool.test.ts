import { sql } from 'kysely';
import { expect, test } from 'vitest';
import { openStore, withTransaction } from './index.ts';
import { createTestDatabase, postgresAdminUrl } from './testing.ts';

const admin = await postgresAdminUrl();

test.skipIf('skip' in admin)(
  'error: a connection killed while a transaction holds it fails the transaction, not the process',
  async () => {
    const database = await createTestDatabase((admin as { url: string }).url);
    const store = await openStore({ url: database.url });
    try {
      let unhandled: unknown;
      const onUncaught = (error: unknown) => {
        unhandled = error;
      };
      process.on('uncaughtException', onUncaught);
      const failed = await withTransaction(store, async (tx) => {
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(tx.db);
        // Another session ends this one while the transaction waits between two queries.
        const other = await openStore({ url: database.url });
        await sql`select pg_terminate_backend(${rows[0]!.pid})`.execute(other.db);
        await other.close();
        await new Promise((resolve) => setTimeout(resolve, 200));
        await sql`select 1`.execute(tx.db);
      }).then(
        () => undefined,
        (error: Error) => error,
      );
      process.off('uncaughtException', onUncaught);
      expect(unhandled).toBeUndefined();
      expect(failed).toBeInstanceOf(Error);
      // The pool hands out a fresh connection afterwards.
      expect((await sql<{ one: number }>`select 1 as one`.execute(store.db)).rows[0]!.one).toBe(1);
    } finally {
      await store.close();
      await database.drop();
    }
  },
);
