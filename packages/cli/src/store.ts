import { openStore, type Store } from '@bulwark/store';
import type { Io } from './main.ts';

/**
 * Runs `fn` with the store: PostgreSQL when `DATABASE_URL` is set, else PGlite in `--db` (default
 * `.bulwark/db` under the working folder). The store is closed afterwards unless the caller (a
 * test) handed in its own.
 */
export async function withStore<T>(
  io: Io,
  /** `urlEnv`: the variable naming PostgreSQL instead of DATABASE_URL (a monitor config's store.urlEnv). */
  options: { db?: string | undefined; urlEnv?: string | undefined },
  fn: (store: Store) => Promise<T>,
) {
  if (io.openStore) return fn(await io.openStore());
  const store = await openStore({ url: io.env[options.urlEnv ?? 'DATABASE_URL'], dataDir: options.db, cwd: io.cwd });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
