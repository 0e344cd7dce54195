import { chainKey } from './normalize.ts';
import type { StoreClient } from './store.ts';

export type Chain = { chainId: number; name: string | null; createdAt: Date };

/** Registers a chain (idempotent); a name given later replaces the stored one. */
export async function upsertChain(
  store: StoreClient,
  parameters: { chainId: number; name?: string | undefined },
): Promise<Chain> {
  const chainId = chainKey(parameters.chainId);
  const query = store.db.insertInto('chains').values({ chain_id: chainId, name: parameters.name ?? null });
  const row = await (parameters.name === undefined
    ? query.onConflict((oc) => oc.column('chain_id').doUpdateSet((eb) => ({ name: eb.ref('chains.name') })))
    : query.onConflict((oc) => oc.column('chain_id').doUpdateSet((eb) => ({ name: eb.ref('excluded.name') })))
  )
    .returningAll()
    .executeTakeFirstOrThrow();
  return { chainId: Number(row.chain_id), name: row.name, createdAt: row.created_at };
}

export async function listChains(store: StoreClient): Promise<Chain[]> {
  const rows = await store.db.selectFrom('chains').selectAll().orderBy('chain_id').execute();
  return rows.map((row) => ({ chainId: Number(row.chain_id), name: row.name, createdAt: row.created_at }));
}

/** Makes sure a chain row exists before something that references it is written. */
export async function ensureChain(store: StoreClient, chainId: number): Promise<void> {
  await store.db
    .insertInto('chains')
    .values({ chain_id: chainKey(chainId), name: null })
    .onConflict((oc) => oc.column('chain_id').doNothing())
    .execute();
}
