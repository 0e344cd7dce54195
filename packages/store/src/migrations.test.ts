import { type Kysely, sql } from 'kysely';
import { expect, test } from 'vitest';
import { insertAlert, listAlerts } from './alerts.ts';
import { appendLog, verifyLog } from './auditLog.ts';
import { verifyBoundRows } from './boundRows.ts';
import { getCheckpoint, setCheckpoint } from './checkpoints.ts';
import { MigrationError, SchemaTooNewError } from './errors.ts';
import { getIncident } from './incidents.ts';
import { migrate } from './migrate.ts';
import { latestMigration, migrationNames } from './migrations/index.ts';
import { describeStore } from './testing.ts';

/** Tables, columns, types, nullability and defaults of the current schema, one line per column. */
// biome-ignore lint/suspicious/noExplicitAny: introspection works on any schema
async function describeSchema(db: Kysely<any>): Promise<string> {
  const { rows } = await sql<{
    table_name: string;
    column_name: string;
    data_type: string;
    is_nullable: string;
    column_default: string | null;
  }>`
    select table_name, column_name, data_type, is_nullable, column_default
    from information_schema.columns
    where table_schema = current_schema() and table_name not like 'kysely_%'
    order by table_name, ordinal_position
  `.execute(db);
  const columns = rows.map(
    (r) =>
      `${r.table_name}.${r.column_name} ${r.data_type}${r.is_nullable === 'NO' ? ' not null' : ''}${r.column_default ? ` default ${r.column_default}` : ''}`,
  );
  const { rows: constraints } = await sql<{ table_name: string; name: string; definition: string }>`
    select c.conrelid::regclass::text as table_name, c.conname as name, pg_get_constraintdef(c.oid) as definition
    from pg_constraint c join pg_namespace n on n.oid = c.connamespace
    where n.nspname = current_schema() and c.conrelid::regclass::text not like 'kysely_%' and c.contype <> 'n'
    order by 1, 2
  `.execute(db);
  const { rows: indexes } = await sql<{ definition: string }>`
    select indexdef as definition from pg_indexes
    where schemaname = current_schema() and tablename not like 'kysely_%'
    order by tablename, indexname
  `.execute(db);
  return [
    ...columns,
    '',
    ...constraints.map((c) => `${c.table_name}: ${c.name} ${c.definition}`),
    '',
    ...indexes.map((i) => i.definition.replace(/ ON [a-z_]+\./, ' ON ')),
    '',
  ].join('\n');
}

describeStore('migrations', (ctx) => {
  test('default: a new database gets every migration, and the same schema on both engines', async () => {
    expect(ctx.store.migrations.applied).toEqual(migrationNames);
    expect(ctx.store.migrations.current).toBe(latestMigration);
    // One snapshot file for both engines: a difference between them fails one of the two runs.
    await expect(await describeSchema(ctx.store.db)).toMatchFileSnapshot('__snapshots__/schema.txt');
  });

  test('behavior: migrating an up-to-date database does nothing', async () => {
    expect(await migrate(ctx.store.db)).toEqual({ applied: [], current: latestMigration });
  });

  test('behavior: data written at 0001 is still there after 0002, and incidents get triaged_at', async () => {
    const store = await ctx.open({ migrateTo: '0001_initial' });
    expect(store.migrations.current).toBe('0001_initial');
    // biome-ignore lint/suspicious/noExplicitAny: the database is at an older schema than the types
    const db = store.db as Kysely<any>;

    await setCheckpoint(store, { chainId: 1, blockNumber: 19_000_000n, blockHash: '0xAB' });
    const { alert } = await insertAlert(store, {
      ruleId: 'outflow-spike',
      severity: 'high',
      chainId: 1,
      blockNumber: 19_000_000n,
      dedupeKey: 'k',
      payload: { wei: 10n ** 24n },
    });
    await appendLog(store, { actor: 'alice', action: 'audit.add', payload: { id: 'a1' } });
    await appendLog(store, { actor: 'bob', action: 'gate.approve', payload: { digest: 'sha256:00' } });
    const detectedAt = new Date('2025-01-01T00:00:00.000Z');
    const triagedAt = new Date('2025-01-01T00:05:00.000Z');
    await db
      .insertInto('incidents')
      .values([
        { id: 'inc-1', title: 'drain', severity: 'critical', state: 'triaged', detected_at: detectedAt },
        { id: 'inc-2', title: 'probe', severity: 'low', state: 'detected', detected_at: detectedAt },
      ])
      .execute();
    await db
      .insertInto('incident_events')
      .values([
        { incident_id: 'inc-1', at: detectedAt, kind: 'opened', actor: 'monitor', data: '{}' },
        {
          incident_id: 'inc-1',
          at: triagedAt,
          kind: 'transition',
          actor: 'alice',
          data: '{"from":"detected","to":"triaged"}',
        },
      ])
      .execute();

    const result = await migrate(store.db);
    expect(result).toEqual({ applied: migrationNames.slice(1), current: latestMigration });

    expect(await getCheckpoint(store, 1)).toMatchObject({ blockNumber: 19_000_000n, blockHash: '0xab' });
    const [kept] = await listAlerts(store);
    expect(kept).toMatchObject({ id: alert.id, payload: { wei: '1000000000000000000000000' } });
    // The two appended, and the one that bound the incidents already there when 0005 came.
    expect(await verifyLog(store)).toMatchObject({ ok: true, entries: 3 });
    expect(await verifyBoundRows(store)).toMatchObject({ ok: true, rows: 4 });
    expect(await getIncident(store, 'inc-1')).toMatchObject({ triagedAt, timeToTriageMs: 5 * 60_000 });
    expect(await getIncident(store, 'inc-2')).toMatchObject({ triagedAt: null, state: 'detected' });
    // Upgraded in place or created fresh: the same schema.
    await expect(await describeSchema(store.db)).toMatchFileSnapshot('__snapshots__/schema.txt');
  });

  test('error: a database migrated by a newer Bulwark is refused and left as it is', async () => {
    const store = await ctx.open();
    await sql`insert into kysely_migration (name, timestamp) values ('9999_from_the_future', '2099-01-01T00:00:00.000Z')`.execute(
      store.db,
    );
    const error = await migrate(store.db).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaTooNewError);
    expect((error as Error).message).toMatch(
      /newer than this version[\s\S]*9999_from_the_future[\s\S]*Upgrade Bulwark/,
    );
    const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(store.db);
    expect(rows.map((r) => r.name)).toEqual([...migrationNames, '9999_from_the_future']);
  });

  test('error: migrations only go forward', async () => {
    await expect(migrate(ctx.store.db, { to: '0001_initial' })).rejects.toThrow(MigrationError);
    expect(await migrate(ctx.store.db)).toEqual({ applied: [], current: latestMigration });
  });
});
