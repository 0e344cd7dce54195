import { type Kysely, sql } from 'kysely';
import { type MigrationResultSet, Migrator } from 'kysely/migration';
import { installBoundRowTriggers } from './boundRows.ts';
import { MigrationError, SchemaTooNewError } from './errors.ts';
import { latestMigration, type MigrationName, migrationNames, migrations } from './migrations/index.ts';

export type MigrateParameters = {
  /** Stop after this migration (tests of upgrades); default: the latest. */
  to?: MigrationName | undefined;
};

export type MigrateReturnType = {
  /** Migrations applied by this call, in order. */
  applied: MigrationName[];
  /** The migration the database is at now. */
  current: MigrationName | undefined;
};

const migrationTable = 'kysely_migration';

/** Names of the migrations already applied, in order; empty on a fresh database. */
// biome-ignore lint/suspicious/noExplicitAny: works before the schema exists
export async function appliedMigrations(db: Kysely<any>): Promise<string[]> {
  const { rows } = await sql<{
    found: string | null;
  }>`select to_regclass(${sql.lit(migrationTable)})::text as found`.execute(db);
  if (!rows[0]?.found) return [];
  const applied = await db.selectFrom(migrationTable).select('name').orderBy('name').execute();
  return applied.map((row) => row.name as string);
}

/**
 * Brings the schema up to date in place. Each migration runs in its own transaction (both engines
 * have transactional DDL), so a failure leaves the database at the previous migration, data intact.
 * Refuses a database that a newer Bulwark has migrated: its schema may not mean what this code thinks.
 */
// biome-ignore lint/suspicious/noExplicitAny: the migrator works on the untyped database
export async function migrate(db: Kysely<any>, parameters: MigrateParameters = {}): Promise<MigrateReturnType> {
  const known = new Set<string>(migrationNames);
  const before = await appliedMigrations(db);
  const unknown = before.filter((name) => !known.has(name));
  if (unknown.length > 0)
    throw new SchemaTooNewError('The database schema is newer than this version of Bulwark.', {
      metaMessages: [
        `It has migrations this version does not know: ${unknown.join(', ')} (this version ends at ${latestMigration}).`,
        'Upgrade Bulwark to the version that wrote it, or newer. Nothing was changed.',
      ],
      docsPath: 'store.md#upgrades',
    });

  const target = parameters.to ?? latestMigration;
  const current = before.at(-1);
  if (current !== undefined && migrationNames.indexOf(target) < migrationNames.indexOf(current as MigrationName))
    throw new MigrationError(`The database is at ${current}, past ${target}; migrations only go forward.`, {
      docsPath: 'store.md#upgrades',
    });

  // Up to date (every open but the first after an upgrade): the migrator's lock table and
  // bookkeeping queries would only confirm it.
  if (current === target) {
    if (before.includes('0005_governance_bound_rows')) await installBoundRowTriggers(db);
    return { applied: [], current };
  }

  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: migrationTable,
  });
  const result: MigrationResultSet = await migrator.migrateTo(target);
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName;
    throw new MigrationError(
      failed ? `Migration ${failed} failed; the database stays at the migration before it.` : 'Migrating failed.',
      { cause: result.error, docsPath: 'store.md#upgrades' },
    );
  }
  const applied = (result.results ?? []).filter((r) => r.direction === 'Up').map((r) => r.migrationName);
  const after = await appliedMigrations(db);
  if (after.includes('0005_governance_bound_rows')) await installBoundRowTriggers(db);
  return { applied: applied as MigrationName[], current: after.at(-1) as MigrationName | undefined };
}
