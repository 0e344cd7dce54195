import type { Kysely } from 'kysely';
import { bindUnloggedRows } from './boundRows.ts';
import type { Database } from './schema.ts';

export type Engine = 'pglite' | 'postgres';

/** What a repository function needs: a Kysely handle, possibly a transaction (see `withTransaction`). */
export type StoreClient = {
  db: Kysely<Database>;
};

export type Store = StoreClient & {
  engine: Engine;
  /** Where the data lives, without credentials: a folder, `memory://`, or `host:port/database`. */
  location: string;
  /** Releases this handle. The engine closes when the last handle of the process on it closes. */
  close(): Promise<void>;
};

/**
 * Runs `fn` in one transaction; inside one already, it joins it. Repository functions take the
 * client `fn` receives, so several writes (a governance change and its audit-log entry) commit
 * or roll back together. Governance rows changed without a log entry get one before the commit.
 */
export async function withTransaction<C extends StoreClient, T>(store: C, fn: (tx: C) => Promise<T>): Promise<T> {
  if (store.db.isTransaction) return fn(store);
  return store.db.transaction().execute(async (trx) => {
    const result = await fn({ ...store, db: trx });
    await bindUnloggedRows({ db: trx });
    return result;
  });
}
