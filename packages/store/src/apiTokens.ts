import type { Selectable } from 'kysely';
import { ConflictError } from './errors.ts';
import type { ApiTokenRole, ApiTokensTable } from './schema.ts';
import type { StoreClient } from './store.ts';

export type { ApiTokenRole };

/** An API token as stored: never the secret, only its sha256. */
export type ApiToken = {
  name: string;
  role: ApiTokenRole;
  /** sha256 of the secret, lower-case hex. */
  hash: string;
  createdAt: Date;
  revokedAt: Date | null;
};

const fromRow = (row: Selectable<ApiTokensTable>): ApiToken => ({
  name: row.name,
  role: row.role,
  hash: row.hash,
  createdAt: row.created_at,
  revokedAt: row.revoked_at,
});

/** Records a token; a name already taken (revoked or not) is a conflict, so the log's actors stay unambiguous. */
export async function insertApiToken(
  store: StoreClient,
  parameters: { name: string; role: ApiTokenRole; hash: string; createdAt?: Date | undefined },
): Promise<ApiToken> {
  const row = await store.db
    .insertInto('api_tokens')
    .values({
      name: parameters.name,
      role: parameters.role,
      hash: parameters.hash,
      ...(parameters.createdAt ? { created_at: parameters.createdAt } : {}),
    })
    .onConflict((oc) => oc.column('name').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!row)
    throw new ConflictError(`There is already an API token named ${parameters.name}.`, {
      metaMessages: ['Token names are the actors of the audit log; choose another name.'],
      docsPath: 'server.md#tokens',
    });
  return fromRow(row);
}

/** The live (not revoked) token with this secret hash, if any. */
export async function findApiToken(store: StoreClient, hash: string): Promise<ApiToken | undefined> {
  const row = await store.db
    .selectFrom('api_tokens')
    .selectAll()
    .where('hash', '=', hash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row && fromRow(row);
}

/** The live tokens among these secret hashes, by hash: one query for many callers (the server batches its lookups). */
export async function findApiTokens(store: StoreClient, hashes: readonly string[]): Promise<Map<string, ApiToken>> {
  if (hashes.length === 0) return new Map();
  const rows = await store.db
    .selectFrom('api_tokens')
    .selectAll()
    .where('hash', 'in', [...hashes])
    .where('revoked_at', 'is', null)
    .execute();
  return new Map(rows.map((row) => [row.hash, fromRow(row)]));
}

export async function listApiTokens(store: StoreClient): Promise<ApiToken[]> {
  const rows = await store.db.selectFrom('api_tokens').selectAll().orderBy('created_at').orderBy('name').execute();
  return rows.map(fromRow);
}
