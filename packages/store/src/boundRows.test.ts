import { type Kysely, sql } from 'kysely';
import { beforeAll, describe, expect, test } from 'vitest';
import { insertApiToken } from './apiTokens.ts';
import { insertApproval } from './approvals.ts';
import { appendLog, verifyLog } from './auditLog.ts';
import { insertAudit, updateAuditFinding } from './audits.ts';
import { verifyBoundRows } from './boundRows.ts';
import { boundTables } from './boundTables.ts';
import { insertControlEvidence } from './controlEvidence.ts';
import { insertDependencyReview } from './dependencyReviews.ts';
import { insertEvidence } from './evidence.ts';
import { insertException, insertExceptionApproval } from './exceptions.ts';
import { openIncident } from './incidents.ts';
import { migrate } from './migrate.ts';
import { upsertContract, upsertDeployment } from './registry.ts';
import { insertRisk } from './risks.ts';
import { insertScanRun } from './scans.ts';
import type { StoreClient } from './store.ts';
import { withTransaction } from './store.ts';
import { describeStore } from './testing.ts';
import {
  addWalletPolicyApproval,
  addWalletRequestApproval,
  insertWalletPolicy,
  insertWalletRequest,
  lockVelocityCounters,
  reserveVelocity,
} from './wallet.ts';
import { recordWalletRequestPreview } from './walletPreviews.ts';

/** One row in every bound table, written as Bulwark writes them: with a log entry. */
async function seed(store: StoreClient): Promise<void> {
  await withTransaction(store, async (tx) => {
    await upsertContract(tx, { name: 'Vault', repoPath: 'src/Vault.sol', documentation: {} });
    await upsertDeployment(tx, {
      contractName: 'Vault',
      network: 'mainnet',
      address: '0x00000000000000000000000000000000000000aa',
      bytecodeHash: '0x01',
      status: 'active',
    });
    await insertAudit(tx, {
      id: 'A-1',
      auditor: 'Trail',
      scope: { files: [{ path: 'src/Vault.sol', hash: 'h' }] },
      auditDate: '2025-01-01',
      findings: [{ id: 'A-1-F1', severity: 'high', title: 'Reentrancy' }],
    });
    await insertApproval(tx, {
      releaseDigest: 'sha256:00',
      approverKeyId: 'k1',
      algorithm: 'ed25519',
      signature: '0x00',
      signedAt: new Date('2025-01-02T00:00:00Z'),
    });
    await insertDependencyReview(tx, {
      ecosystem: 'npm',
      name: 'left-pad',
      version: '1.0.0',
      integrity: 'sha512-x',
      reviewer: 'alice',
      verdict: 'approved',
    });
    await insertRisk(tx, {
      id: 'R-1',
      threat: 'key theft',
      asset: 'hot wallet',
      likelihood: 2,
      impact: 5,
      owner: 'alice',
      treatment: 'mitigate',
    });
    await insertControlEvidence(tx, {
      controlId: 'GOV-01',
      kind: 'manual',
      ref: 'policy.pdf',
      status: 'met',
      data: {},
    });
    await insertScanRun(tx, {
      id: 'S-1',
      startedAt: new Date('2025-01-03T00:00:00Z'),
      findings: [{ fingerprint: 'fp', detector: 'reentrancy', impact: 'high', file: 'src/Vault.sol', line: 3 }],
    });
    await tx.db.insertInto('identities').values({ name: 'alice', roles: '["auditor"]' }).execute();
    await insertApiToken(tx, { name: 'ops', role: 'viewer', hash: 'cd'.repeat(32) });
    const at = new Date('2025-01-04T00:00:00Z');
    await insertEvidence(tx, {
      controlId: 'SR-03',
      kind: 'dr-test',
      title: 'DR test',
      file: 'dr.pdf',
      sha256: 'ab'.repeat(32),
      size: 10,
      owner: 'alice',
      expiresOn: '2026-01-01',
      addedBy: 'alice',
    });
    const exception = await insertException(tx, {
      targetKind: 'check',
      target: 'pausable',
      reason: 'immutable by design',
      compensating: 'monitor alerts',
      expiresOn: '2026-01-01',
      requiredApprovals: 1,
      requestedBy: 'alice',
    });
    await insertExceptionApproval(tx, { exceptionId: exception.id, approver: 'bob', approvedAt: at });
    await insertWalletPolicy(tx, { id: 'P-1', document: { version: 1 }, proposedBy: 'heidi', proposedAt: at });
    await addWalletPolicyApproval(tx, { policyId: 'P-1', approver: 'ivan', at });
    await insertWalletRequest(tx, {
      id: 'W-1',
      digest: '0x01',
      request: { kind: 'withdrawal' },
      initiator: 'alice',
      source: 'hot',
      chainId: 1,
      state: 'pending',
      decision: { outcome: 'approval-required' },
      policyId: 'P-1',
      createdAt: at,
      expiresAt: new Date('2025-01-04T02:00:00Z'),
    });
    await addWalletRequestApproval(tx, { requestId: 'W-1', approver: 'carol', digest: '0x01', at });
    await recordWalletRequestPreview(tx, {
      requestId: 'W-1',
      preview: { status: 'success', assetChanges: [], flags: [] },
      actor: 'api',
      at,
    });
    // A second counter, so a copied reservation can point to another real one.
    await lockVelocityCounters(tx, ['source:hot', 'initiator:alice']);
    await reserveVelocity(tx, { requestId: 'W-1', amounts: new Map([['source:hot', 50n]]), at });
    // Parents with no children, for the direct-delete tests (the foreign keys keep the others).
    await upsertContract(tx, { name: 'Undeployed', repoPath: 'src/Undeployed.sol', documentation: {} });
    await insertAudit(tx, { id: 'A-2', auditor: 'Solo', scope: { files: [] }, auditDate: '2025-01-05', findings: [] });
    await insertScanRun(tx, { id: 'S-2', startedAt: new Date('2025-01-06T00:00:00Z'), findings: [] });
    await insertException(tx, {
      targetKind: 'control',
      target: 'SBD-08',
      reason: 'migrating',
      compensating: 'HSM',
      expiresOn: '2026-01-01',
      requiredApprovals: 1,
      requestedBy: 'alice',
    });
    await insertWalletPolicy(tx, { id: 'P-2', document: { version: 2 }, proposedBy: 'heidi', proposedAt: at });
    await insertWalletRequest(tx, {
      id: 'W-2',
      digest: '0x02',
      request: { kind: 'withdrawal' },
      initiator: 'alice',
      source: 'hot',
      chainId: 1,
      state: 'blocked',
      decision: { outcome: 'block' },
      policyId: 'P-1',
      createdAt: at,
      expiresAt: null,
    });
    await tx.db
      .insertInto('incidents')
      .values({ id: 'I-0', title: 'noted', severity: 'low', detected_at: at })
      .execute();
    await appendLog(tx, { actor: 'alice', action: 'seed', payload: {} });
  });
  await openIncident(store, { id: 'I-1', title: 'drain', severity: 'critical', actor: 'monitor' });
}

// biome-ignore lint/suspicious/noExplicitAny: tampering goes around the typed schema on purpose
const raw = (store: StoreClient) => store.db as Kysely<any>;

/** The row of `table` with the smallest key, as JSON, and a text column to edit. */
async function firstRow(
  store: StoreClient,
  table: string,
  key: readonly string[],
  options: { unreferenced?: boolean } = {},
) {
  const { rows: references } = await sql<{ child: string; columns: string[]; parentColumns: string[] }>`
    select c.conrelid::regclass::text as child,
      array(select attname::text from unnest(c.conkey) with ordinality k(n, i) join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.n order by k.i) as "columns",
      array(select attname::text from unnest(c.confkey) with ordinality k(n, i) join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.n order by k.i) as "parentColumns"
    from pg_constraint c where c.contype = 'f' and c.confrelid = ${table}::regclass`.execute(store.db);
  const unreferenced = options.unreferenced
    ? references.map(
        (r) =>
          sql`and not exists (select 1 from ${sql.table(r.child)} c where ${sql.join(
            r.columns.map((column, i) => sql`c.${sql.ref(column)} = t.${sql.ref(r.parentColumns[i]!)}`),
            sql` and `,
          )})`,
      )
    : [];
  const { rows } = await sql<{ row: Record<string, unknown> }>`
    select to_jsonb(t) as row from ${sql.table(table)} t where true ${sql.join(unreferenced, sql` `)}
    order by ${sql.join(key.map((k) => sql.ref(k)))} limit 1`.execute(store.db);
  if (!rows[0]) throw new Error(`${table} has no row the test may use; seed one that nothing references`);
  const { rows: columns } = await sql<{ column_name: string; data_type: string; is_generated: string }>`
    select column_name, data_type, is_generated from information_schema.columns
    where table_schema = current_schema() and table_name = ${table} order by ordinal_position`.execute(store.db);
  const { rows: constrained } = await sql<{ column_name: string }>`
    select a.attname as column_name from pg_constraint c
    join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any(c.conkey)
    where c.conrelid = ${table}::regclass and c.contype in ('f', 'c')`.execute(store.db);
  // A column an edit cannot trip on: not part of the key, not a foreign key, not under a check
  // (a number under `>= 0` may still grow); text first, then a number, then a time.
  const constrainedColumns = new Set(constrained.map((c) => c.column_name));
  const candidates = columns.filter((c) => !key.includes(c.column_name));
  const column =
    candidates.find((c) => c.data_type === 'text' && !constrainedColumns.has(c.column_name)) ??
    candidates.find((c) => c.data_type === 'numeric') ??
    candidates.find((c) => c.data_type === 'timestamp with time zone');
  if (!column) throw new Error(`${table} has no column the test can edit; give it one`);
  const insertable = columns.filter((c) => c.is_generated !== 'ALWAYS').map((c) => c.column_name);
  // A copy under another key must also miss every unique constraint: all free text changes in it.
  const freeText = candidates
    .filter((c) => c.data_type === 'text' && !constrainedColumns.has(c.column_name))
    .map((c) => c.column_name);
  return { row: rows[0]!.row, editable: column.column_name, editableType: column.data_type, insertable, freeText };
}

/** An edit that keeps the column's type and constraints: text grows, a number or a time moves on. */
function edited(column: string, type: string) {
  if (type === 'numeric') return sql`coalesce(${sql.ref(column)}, 0) + 1`;
  if (type === 'timestamp with time zone') return sql`coalesce(${sql.ref(column)}, now()) + interval '1 second'`;
  return sql`coalesce(${sql.ref(column)}, '') || 'x'`;
}

/** For a key column that is a foreign key: another value its parent table holds (a copy must still point somewhere real). */
async function otherParentKey(store: StoreClient, table: string, column: string, current: unknown) {
  const { rows } = await sql<{ parent: string; parentColumn: string }>`
    select c.confrelid::regclass::text as parent, pa.attname::text as "parentColumn"
    from pg_constraint c
    join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
    join pg_attribute pa on pa.attrelid = c.confrelid and pa.attnum = c.confkey[1]
    where c.contype = 'f' and c.conrelid = ${table}::regclass and a.attname = ${column}`.execute(store.db);
  const fk = rows[0];
  if (!fk) return undefined;
  const { rows: values } = await sql<{ value: string }>`
    select ${sql.ref(fk.parentColumn)}::text as value from ${sql.table(fk.parent)}
    where ${sql.ref(fk.parentColumn)}::text <> ${String(current)} limit 1`.execute(store.db);
  if (!values[0]) throw new Error(`${fk.parent} needs a second row for a copy of a ${table} row to point to`);
  return values[0].value;
}

async function insertJson(store: StoreClient, table: string, columns: string[], row: Record<string, unknown>) {
  const list = sql.join(columns.map((c) => sql.ref(c)));
  await sql`insert into ${sql.table(table)} (${list}) overriding system value
    select ${list} from jsonb_populate_record(null::${sql.table(table)}, ${JSON.stringify(row)}::jsonb)`.execute(
    store.db,
  );
}

const where = (key: readonly string[], row: Record<string, unknown>) =>
  sql.join(
    key.map((k) => sql`${sql.ref(k)}::text = ${String(row[k])}`),
    sql` and `,
  );

describeStore('boundRows', (ctx) => {
  beforeAll(async () => {
    await seed(ctx.store);
  });

  test('default: rows written through Bulwark verify, and every bound table has a row', async () => {
    const result = await verifyBoundRows(ctx.store);
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.rows).toBeGreaterThanOrEqual(boundTables.length);
    expect(result.stateDigest).toMatch(/^[0-9a-f]{64}$/);
    expect((await verifyLog(ctx.store)).ok).toBe(true);
    for (const { table } of boundTables) {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(
        ctx.store.db,
      );
      expect(rows[0]!.n, table).toBeGreaterThan(0);
    }
  });

  describe.each(boundTables.map((t) => [t.table, t] as const))('%s', (table, bound) => {
    test('error: a direct edit is reported with the row and the entry that wrote it', async () => {
      const { row, editable, editableType } = await firstRow(ctx.store, table, bound.key);
      const before = await verifyBoundRows(ctx.store);
      await sql`update ${sql.table(table)} set ${sql.ref(editable)} = ${edited(editable, editableType)}
        where ${where(bound.key, row)}`.execute(ctx.store.db);
      const after = await verifyBoundRows(ctx.store);
      expect(after.ok).toBe(false);
      expect(after.problems).toEqual([
        expect.objectContaining({
          table,
          key: bound.key.map((k) => String(row[k])),
          kind: 'edited',
          entry: { seq: expect.any(Number), hash: expect.stringMatching(/^[0-9a-f]{64}$/) },
          message: expect.stringMatching(new RegExp(`^${table} .* was edited outside Bulwark: .*entry \\d+`)),
        }),
      ]);
      // What the log vouches for did not change, whatever the table now holds.
      expect(after.stateDigest).toBe(before.stateDigest);
      await sql`update ${sql.table(table)} set ${sql.ref(editable)} = ${row[editable] as string | null}
        where ${where(bound.key, row)}`.execute(ctx.store.db);
      expect((await verifyBoundRows(ctx.store)).ok).toBe(true);
    });

    test('error: a direct delete and a direct insert are reported', async () => {
      // A row nothing references, so that the foreign keys let it go (no superuser tricks needed).
      const { row, insertable, freeText } = await firstRow(ctx.store, table, bound.key, { unreferenced: true });
      {
        await sql`delete from ${sql.table(table)} where ${where(bound.key, row)}`.execute(ctx.store.db);
        const deleted = await verifyBoundRows(ctx.store);
        expect(deleted.problems).toEqual([
          expect.objectContaining({
            table,
            kind: 'deleted',
            message: expect.stringContaining('deleted outside Bulwark'),
          }),
        ]);
        await insertJson(ctx.store, table, insertable, row);
        expect((await verifyBoundRows(ctx.store)).ok).toBe(true);
        const last = bound.key.at(-1)!;
        const copy = {
          ...row,
          [last]:
            (await otherParentKey(ctx.store, table, last, row[last])) ??
            (/^\d+$/.test(String(row[last])) ? 990_001 : 'forged'),
          ...Object.fromEntries(freeText.map((column) => [column, `${row[column] ?? ''}-copy`])),
        };
        await insertJson(ctx.store, table, insertable, copy);
        const inserted = await verifyBoundRows(ctx.store);
        expect(inserted.problems).toEqual([
          expect.objectContaining({
            table,
            kind: 'inserted',
            key: bound.key.map((k) => String(copy[k])),
            message: expect.stringContaining('inserted outside Bulwark: no log entry wrote it'),
          }),
        ]);
        await sql`delete from ${sql.table(table)} where ${where(bound.key, copy)}`.execute(ctx.store.db);
      }
      expect((await verifyBoundRows(ctx.store)).ok).toBe(true);
    });
  });

  test('behavior: a later legitimate entry does not launder a direct edit', async () => {
    await raw(ctx.store).updateTable('audit_findings').set({ status: 'fixed' }).where('id', '=', 'A-1-F1').execute();
    await appendLog(ctx.store, { actor: 'alice', action: 'risk.note', payload: {} });
    await withTransaction(ctx.store, async (tx) => {
      await upsertContract(tx, { name: 'Pool', repoPath: 'src/Pool.sol', documentation: {} });
    });
    const result = await verifyBoundRows(ctx.store);
    expect(result.problems.map((p) => [p.table, p.key, p.kind])).toEqual([['audit_findings', ['A-1-F1'], 'edited']]);
    // Through Bulwark, the same change is bound and verifies.
    await withTransaction(ctx.store, async (tx) => {
      await updateAuditFinding(tx, { id: 'A-1-F1', status: 'fixed', resolution: 'patched' });
      await appendLog(tx, { actor: 'alice', action: 'audit.resolve', payload: { id: 'A-1-F1' } });
    });
    expect((await verifyBoundRows(ctx.store)).ok).toBe(true);
  });

  test('behavior: rows present before migration 0005 are bound once, on upgrade', async () => {
    const store = await ctx.open({ migrateTo: '0003_alert_deliveries' });
    await raw(store)
      .insertInto('risks')
      .values({ id: 'R-old', threat: 't', asset: 'a', likelihood: 1, impact: 1, owner: 'o', treatment: 'accept' })
      .execute();
    await migrate(store.db);
    const result = await verifyBoundRows(store);
    expect(result).toMatchObject({ ok: true, rows: 1 });
    const { rows } = await sql<{ action: string }>`select action from audit_log order by seq`.execute(store.db);
    expect(rows.map((r) => r.action)).toEqual(['store.bind-existing']);
    // Dropping the bookkeeping to get rows re-bound is itself reported.
    await sql`drop trigger bulwark_bound_row on risks`.execute(store.db);
    await sql`delete from bound_tables where table_name = 'risks'`.execute(store.db);
    await raw(store).updateTable('risks').set({ owner: 'mallory' }).execute();
    await migrate(store.db);
    expect((await verifyBoundRows(store)).problems).toEqual([
      expect.objectContaining({ table: 'risks', kind: 'rebound' }),
    ]);
  });
});
