import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { appendLog, type LogEntry, listLog } from './auditLog.ts';
import { type BoundTable, boundTables } from './boundTables.ts';
import { canonicalJson } from './json.ts';
import type { StoreClient } from './store.ts';

/** A row as a log entry records it: its table, key (text of the key columns) and digest; null digest: deleted. */
export type BoundRow = { table: string; key: string[]; digest: string | null };

const digestDomain = 'bulwark.bound_row.v1';
const byName = new Map(boundTables.map((t) => [t.table, t]));

// biome-ignore lint/suspicious/noExplicitAny: bound tables are listed by name, not by type
type AnyDb = any;

/** sha256 over the row's columns (all but `omit`) as canonical JSON; dates as ISO, int8 as text. */
export function digestRow(table: BoundTable, row: Record<string, unknown>): string {
  const kept = Object.fromEntries(Object.entries(row).filter(([column]) => !table.omit?.includes(column)));
  return createHash('sha256')
    .update(JSON.stringify([digestDomain, table.table, canonicalJson(kept)]), 'utf8')
    .digest('hex');
}

/** The key as the trigger notes it: the text of each key column. */
function rowKey(table: BoundTable, row: Record<string, unknown>): string[] {
  return table.key.map((column) => {
    const value = row[column];
    return value instanceof Date ? value.toISOString() : String(value);
  });
}

const mapKey = (table: string, key: readonly string[]) => `${table}\u0000${JSON.stringify(key)}`;

/** `audit_findings F-1`, `deployments Vault, mainnet, 0xab…`. */
export const describeBoundRow = (table: string, key: readonly string[]) => `${table} ${key.join(', ')}`;

async function readRows(store: StoreClient, table: BoundTable, keys?: string[][]): Promise<Record<string, unknown>[]> {
  const db = store.db as AnyDb;
  let query = db.selectFrom(table.table).selectAll();
  if (keys) {
    // Narrowed on the first key column; the rest are matched below.
    query = query.where(
      sql.ref(table.key[0]!),
      'in',
      keys.map((k) => k[0]),
    );
  }
  const rows = (await query.execute()) as Record<string, unknown>[];
  if (!keys) return rows;
  const wanted = new Set(keys.map((k) => JSON.stringify(k)));
  return rows.filter((row) => wanted.has(JSON.stringify(rowKey(table, row))));
}

/**
 * The rows changed in the current transaction, with their digests now (null: deleted), and the
 * notes cleared. `appendLog` records them in its entry. Run inside the transaction.
 */
export async function takeChangedRows(tx: StoreClient): Promise<BoundRow[]> {
  const { rows: schema } = await sql<{ present: boolean }>`
    select to_regclass('bound_row_changes') is not null as present`.execute(tx.db);
  if (!schema[0]?.present) return []; // a database before migration 0005
  const { rows: noted } = await sql<{ table_name: string; row_key: string[] | string }>`
    delete from bound_row_changes where txid = txid_current() returning table_name, row_key`.execute(tx.db);
  if (noted.length === 0) return [];
  const byTable = new Map<string, string[][]>();
  for (const note of noted) {
    const key = typeof note.row_key === 'string' ? (JSON.parse(note.row_key) as string[]) : note.row_key;
    byTable.set(note.table_name, [...(byTable.get(note.table_name) ?? []), key]);
  }
  const bound: BoundRow[] = [];
  for (const [name, keys] of byTable) {
    const table = byName.get(name);
    if (!table) continue;
    const current = new Map<string, string>();
    for (const row of await readRows(tx, table, keys))
      current.set(JSON.stringify(rowKey(table, row)), digestRow(table, row));
    for (const key of keys) bound.push({ table: name, key, digest: current.get(JSON.stringify(key)) ?? null });
  }
  return bound.sort((a, b) => mapKey(a.table, a.key).localeCompare(mapKey(b.table, b.key)));
}

/**
 * At the end of a transaction: rows changed but not yet recorded by an entry (a writer that does not
 * log, such as the monitor opening an incident) get a `store.write` entry, so no change through
 * Bulwark goes unbound. A transaction that wrote nothing costs one query.
 */
export async function bindUnloggedRows(tx: StoreClient): Promise<void> {
  const { rows } = await sql<{ txid: string | null; present: boolean }>`
    select txid_current_if_assigned()::text as txid, to_regclass('bound_row_changes') is not null as present`.execute(
    tx.db,
  );
  if (!rows[0]?.txid || !rows[0].present) return;
  const { rows: pending } = await sql<{ table_name: string; n: string }>`
    select table_name, count(*)::text as n from bound_row_changes where txid = txid_current() group by table_name order by table_name`.execute(
    tx.db,
  );
  if (pending.length === 0) return;
  await appendLog(tx, {
    actor: 'bulwark',
    action: 'store.write',
    payload: { tables: Object.fromEntries(pending.map((p) => [p.table_name, Number(p.n)])) },
  });
}

/**
 * Installs the note trigger on every table of boundTables.ts that has none, and binds the rows of
 * a table bound for the first time with one `store.bind-existing` entry. A table that was bound
 * before and lost its trigger gets it back without binding anything: rows changed meanwhile stay
 * unbound and `log verify` reports them. Called when a store opens, after the migrations.
 */
export async function installBoundRowTriggers(db: AnyDb): Promise<void> {
  if ((await tablesToBind(db)).length === 0) return; // the usual case: one query
  await db.transaction().execute(async (trx: AnyDb) => {
    // Stores opening at once (PostgreSQL) bind each table once: the second sees the first's work.
    await sql`lock table bound_tables in exclusive mode`.execute(trx);
    const missing = await tablesToBind(trx);
    const fresh: BoundTable[] = [];
    for (const { table, known } of missing) {
      const args = table.key.map((column) => sql.lit(column));
      await sql`create or replace trigger bulwark_bound_row after insert or update or delete on ${sql.table(table.table)}
        for each row execute function bulwark_note_bound_row(${sql.join(args)})`.execute(trx);
      if (!known) {
        fresh.push(table);
        await trx.insertInto('bound_tables').values({ table_name: table.table }).execute();
      }
    }
    const rows: BoundRow[] = [];
    for (const table of fresh)
      for (const row of await readRows({ db: trx }, table))
        rows.push({ table: table.table, key: rowKey(table, row), digest: digestRow(table, row) });
    if (rows.length > 0)
      await appendLog(
        { db: trx },
        { actor: 'bulwark', action: 'store.bind-existing', payload: { tables: fresh.map((t) => t.table) }, rows },
      );
  });
}

/** Tables of boundTables.ts in this database without their trigger; `known`: bound before. */
async function tablesToBind(db: AnyDb): Promise<{ table: BoundTable; known: boolean }[]> {
  const { rows } = await sql<{ name: string; known: boolean; triggered: boolean }>`
    select c.relname as name,
      exists (select 1 from bound_tables b where b.table_name = c.relname) as known,
      exists (select 1 from pg_trigger t where t.tgrelid = c.oid and t.tgname = 'bulwark_bound_row') as triggered
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = current_schema() and c.relkind = 'r'`.execute(db);
  const state = new Map(rows.map((r) => [r.name, r]));
  return boundTables.flatMap((table) => {
    const found = state.get(table.table);
    return found && !found.triggered ? [{ table, known: found.known }] : [];
  });
}

export type BoundRowProblem = {
  table: string;
  key: string[];
  /** `edited`, `inserted` or `deleted` outside Bulwark; `rebound`: a table bound again later. */
  kind: 'edited' | 'inserted' | 'deleted' | 'rebound';
  /** The entry that last wrote the row (or bound the table again). */
  entry?: { seq: number; hash: string } | undefined;
  message: string;
};

export type VerifyBoundRowsReturnType = {
  ok: boolean;
  /** Rows checked. */
  rows: number;
  problems: BoundRowProblem[];
  /**
   * sha256 over every bound row (table, key, digest) as the log says it should be: the state the
   * log vouches for. Equal to the state in the tables when `ok`.
   */
  stateDigest: string;
};

/**
 * Checks every row of every bound table against the log: each must carry the digest the last entry
 * that wrote it recorded. Run after `verifyLog`: the log's own integrity is what makes this mean anything.
 */
export async function verifyBoundRows(
  store: StoreClient,
  parameters: { batchSize?: number | undefined } = {},
): Promise<VerifyBoundRowsReturnType> {
  if (store.db.isTransaction) return verifyBoundRowsIn(store, parameters);
  // One snapshot for the log and the tables: a write committed by another process (a server
  // replica) between reading the one and the other would otherwise look like a changed row.
  return store.db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute((trx) => verifyBoundRowsIn({ ...store, db: trx }, parameters));
}

async function verifyBoundRowsIn(
  store: StoreClient,
  parameters: { batchSize?: number | undefined },
): Promise<VerifyBoundRowsReturnType> {
  const batchSize = parameters.batchSize ?? 1000;
  const expected = new Map<string, { row: BoundRow; entry: LogEntry }>();
  const problems: BoundRowProblem[] = [];
  const boundBefore = new Set<string>();
  for (let afterSeq = 0; ; ) {
    const batch = await listLog(store, { afterSeq, limit: batchSize });
    for (const entry of batch) {
      if (entry.action === 'store.bind-existing')
        for (const table of (entry.payload as { tables?: string[] }).tables ?? [])
          if (boundBefore.has(table))
            problems.push({
              table,
              key: [],
              kind: 'rebound',
              entry: { seq: entry.seq, hash: entry.hash },
              message: `Table ${table} was bound again by entry ${entry.seq} after entries had bound its rows: its note trigger or its bound_tables row was removed, so rows changed before entry ${entry.seq} may be bound unseen.`,
            });
      for (const row of entry.rows ?? []) {
        boundBefore.add(row.table);
        expected.set(mapKey(row.table, row.key), { row, entry });
      }
    }
    if (batch.length < batchSize) break;
    afterSeq = batch.at(-1)!.seq;
  }
  const at = (entry: LogEntry) => ({ seq: entry.seq, hash: entry.hash });
  const entryName = (entry: LogEntry) => `entry ${entry.seq} (${entry.action}, ${entry.hash.slice(0, 12)}…)`;
  let checked = 0;
  const seen = new Set<string>();
  for (const table of boundTables) {
    let rows: Record<string, unknown>[];
    try {
      rows = await readRows(store, table);
    } catch {
      continue; // a table of a later migration, not in this database yet
    }
    for (const row of rows) {
      checked++;
      const key = rowKey(table, row);
      const id = mapKey(table.table, key);
      seen.add(id);
      const bound = expected.get(id);
      const name = describeBoundRow(table.table, key);
      if (!bound || bound.row.digest === null)
        problems.push({
          table: table.table,
          key,
          kind: 'inserted',
          entry: bound && at(bound.entry),
          message: bound
            ? `${name} is back after ${entryName(bound.entry)} deleted it: it was inserted outside Bulwark.`
            : `${name} was inserted outside Bulwark: no log entry wrote it.`,
        });
      else if (bound.row.digest !== digestRow(table, row))
        problems.push({
          table: table.table,
          key,
          kind: 'edited',
          entry: at(bound.entry),
          message: `${name} was edited outside Bulwark: it no longer matches what ${entryName(bound.entry)} wrote.`,
        });
    }
  }
  const stateLines: string[] = [];
  for (const [id, { row, entry }] of expected) {
    if (row.digest === null) continue;
    stateLines.push(`${id}\u0000${row.digest}`);
    if (!seen.has(id) && byName.has(row.table))
      problems.push({
        table: row.table,
        key: row.key,
        kind: 'deleted',
        entry: at(entry),
        message: `${describeBoundRow(row.table, row.key)} was deleted outside Bulwark: ${entryName(entry)} wrote it.`,
      });
  }
  stateLines.sort();
  const stateDigest = createHash('sha256').update(stateLines.join('\n'), 'utf8').digest('hex');
  return { ok: problems.length === 0, rows: checked, problems, stateDigest };
}
