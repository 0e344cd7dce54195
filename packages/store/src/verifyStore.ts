import { sql } from 'kysely';
import { type VerifyLogReturnType, verifyLog } from './auditLog.ts';
import { type VerifyBoundRowsReturnType, verifyBoundRows } from './boundRows.ts';
import { boundTables } from './boundTables.ts';
import type { StoreClient } from './store.ts';

export type VerifyStoreReturnType = {
  log: VerifyLogReturnType;
  /** The bound rows checked against the log (verifyBoundRows). */
  state: VerifyBoundRowsReturnType;
};

type Cached = { marker: string; result: VerifyStoreReturnType };
const cache = new WeakMap<object, Cached>();

/**
 * What changed in the log and the bound tables, read in one query without reading the rows out:
 * per table its row count and the sum of its rows' `xmin` (the transaction that wrote each row
 * version). Any committed insert, update or delete changes it, by Bulwark or not: an updated or
 * inserted row version carries a transaction id above every older one, so with the count kept the
 * sum only grows (until transaction ids wrap around, after ~4 billion transactions). Tables of
 * later migrations not in this database yet are left out.
 */
async function changeMarker(store: StoreClient): Promise<string> {
  const { rows: present } = await sql<{ name: string }>`
    select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = current_schema() and c.relkind = 'r'`.execute(store.db);
  const have = new Set(present.map((r) => r.name));
  const tables = ['audit_log', ...boundTables.map((t) => t.table)].filter((t) => have.has(t));
  const parts = tables.map(
    (t) =>
      sql`select ${sql.lit(t)} as name, count(*)::text as n, coalesce(sum(xmin::text::bigint), 0)::text as s from ${sql.table(t)}`,
  );
  const { rows } = await sql<{ name: string; n: string; s: string }>`${sql.join(parts, sql` union all `)}`.execute(
    store.db,
  );
  return rows
    .map((r) => `${r.name}:${r.n}:${r.s}`)
    .sort()
    .join(',');
}

/**
 * The log's integrity (verifyLog) and the bound rows against it (verifyBoundRows), read in one
 * snapshot, as every full check answers. A store handle remembers its last answer with the change
 * marker it was read under, and answers again from it while nothing in the log or the bound tables
 * changed: the posture page asks on every request and a full check reads every row.
 */
export async function verifyStore(store: StoreClient): Promise<VerifyStoreReturnType> {
  if (store.db.isTransaction) return verifyIn(store, undefined);
  return store.db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute((trx) => verifyIn({ ...store, db: trx }, store.db));
}

async function verifyIn(tx: StoreClient, cacheKey: object | undefined): Promise<VerifyStoreReturnType> {
  const marker = await changeMarker(tx);
  const cached = cacheKey && cache.get(cacheKey);
  if (cached && cached.marker === marker) return cached.result;
  const log = await verifyLog(tx);
  const state = await verifyBoundRows(tx);
  const result = { log, state };
  if (cacheKey) cache.set(cacheKey, { marker, result });
  return result;
}
