import type { Selectable } from 'kysely';
import { toJson } from './json.ts';
import type { IdentitiesTable } from './schema.ts';
import { type StoreClient, withTransaction } from './store.ts';

/** A person actions are attributed to: a name, optionally a public key, and roles. */
export type Identity = {
  name: string;
  publicKey: string | null;
  keyId: string | null;
  roles: string[];
  createdAt: Date;
};

const fromRow = (row: Selectable<IdentitiesTable>): Identity => ({
  name: row.name,
  publicKey: row.public_key,
  keyId: row.key_id,
  roles: row.roles,
  createdAt: row.created_at,
});

/** Adds or replaces an identity (in a transaction, so the row is bound to the log). */
export async function upsertIdentity(
  store: StoreClient,
  parameters: { name: string; publicKey?: string | null; keyId?: string | null; roles: readonly string[] },
): Promise<Identity> {
  const values = {
    public_key: parameters.publicKey ?? null,
    key_id: parameters.keyId ?? null,
    roles: toJson([...new Set(parameters.roles)].sort()),
  };
  const row = await withTransaction(store, (tx) =>
    tx.db
      .insertInto('identities')
      .values({ name: parameters.name, ...values })
      .onConflict((oc) => oc.column('name').doUpdateSet(values))
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
  return fromRow(row);
}

export async function getIdentity(store: StoreClient, name: string): Promise<Identity | undefined> {
  const row = await store.db.selectFrom('identities').selectAll().where('name', '=', name).executeTakeFirst();
  return row && fromRow(row);
}

export async function listIdentities(store: StoreClient): Promise<Identity[]> {
  const rows = await store.db.selectFrom('identities').selectAll().orderBy('name').execute();
  return rows.map(fromRow);
}
