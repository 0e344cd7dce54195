import { type Kysely, sql } from 'kysely';

/**
 * Binds governance rows to the log. A trigger (installed per table from boundTables.ts when the
 * store opens) notes each changed row's key in `bound_row_changes`, tagged with the transaction;
 * `appendLog` takes the notes of its own transaction and records each row's digest in the entry
 * (`audit_log.bound_rows`, covered by the entry's hash). A row changed by direct SQL is noted under
 * a transaction that appends no entry, so its digest is in no entry and `log verify` reports it.
 * `bound_tables` remembers which tables are bound, so that existing rows are bound only once.
 * Also adds `identities`: the people (and keys and roles) actions are attributed to.
 */
// biome-ignore lint/suspicious/noExplicitAny: a migration sees the schema of its own time, not today's types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('audit_log')
    .addColumn('bound_rows', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .execute();
  await db.schema
    .createTable('bound_row_changes')
    .addColumn('txid', 'int8', (c) => c.notNull())
    .addColumn('table_name', 'text', (c) => c.notNull())
    .addColumn('row_key', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('bound_row_changes_pkey', ['txid', 'table_name', 'row_key'])
    .execute();
  await db.schema
    .createTable('bound_tables')
    .addColumn('table_name', 'text', (c) => c.primaryKey())
    .addColumn('bound_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // The trigger's arguments are the key columns; the key is noted as a JSON array of their text.
  await sql`
    create function bulwark_note_bound_row() returns trigger language plpgsql as $$
    declare
      key jsonb;
      r jsonb;
      i int;
    begin
      foreach r in array array[case when tg_op <> 'INSERT' then to_jsonb(old) end, case when tg_op <> 'DELETE' then to_jsonb(new) end] loop
        continue when r is null;
        key := '[]'::jsonb;
        for i in 0 .. tg_nargs - 1 loop
          key := key || jsonb_build_array(r ->> tg_argv[i]);
        end loop;
        insert into bound_row_changes (txid, table_name, row_key)
        values (txid_current(), tg_table_name, key) on conflict do nothing;
      end loop;
      return null;
    end $$`.execute(db);
  await db.schema
    .createTable('identities')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('public_key', 'text')
    .addColumn('key_id', 'text')
    .addColumn('roles', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}
