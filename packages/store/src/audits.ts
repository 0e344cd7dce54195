import { randomUUID } from 'node:crypto';
import { InputError } from '@bulwark/core';
import type { Selectable } from 'kysely';
import { NotFoundError } from './errors.ts';
import { toJson } from './json.ts';
import type { AuditFindingsTable, AuditsTable } from './schema.ts';
import { type StoreClient, withTransaction } from './store.ts';

export type AuditScope = {
  /** Files with the hash of their content when audited. */
  files?: { path: string; hash: string }[];
  bytecodeHashes?: string[];
  [key: string]: unknown;
};

export type Audit = {
  id: string;
  auditor: string;
  /** Competency and track record, as judged when the audit was recorded. */
  auditorProfile: Record<string, unknown>;
  scope: AuditScope;
  commit: string | null;
  reportPath: string | null;
  reportHash: string | null;
  /** 'YYYY-MM-DD'. */
  auditDate: string;
  createdAt: Date;
};

export type AuditFinding = {
  id: string;
  auditId: string;
  severity: string;
  title: string;
  status: string;
  resolution: string | null;
  createdAt: Date;
  updatedAt: Date;
};

const auditFromRow = (row: Selectable<AuditsTable>): Audit => ({
  id: row.id,
  auditor: row.auditor,
  auditorProfile: row.auditor_profile,
  scope: row.scope as AuditScope,
  commit: row.commit,
  reportPath: row.report_path,
  reportHash: row.report_hash,
  auditDate: row.audit_date,
  createdAt: row.created_at,
});

const findingFromRow = (row: Selectable<AuditFindingsTable>): AuditFinding => ({
  id: row.id,
  auditId: row.audit_id,
  severity: row.severity,
  title: row.title,
  status: row.status,
  resolution: row.resolution,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export type InsertAuditParameters = {
  id?: string | undefined;
  auditor: string;
  auditorProfile?: Record<string, unknown> | undefined;
  scope: AuditScope;
  commit?: string | null | undefined;
  reportPath?: string | null | undefined;
  reportHash?: string | null | undefined;
  auditDate: string;
  findings?:
    | { id?: string; severity: string; title: string; status?: string; resolution?: string | null }[]
    | undefined;
};

/** Records an audit and its findings in one transaction. */
export async function insertAudit(
  store: StoreClient,
  parameters: InsertAuditParameters,
): Promise<{ audit: Audit; findings: AuditFinding[] }> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(parameters.auditDate))
    throw new InputError(`The audit date "${parameters.auditDate}" is not YYYY-MM-DD.`);
  const id = parameters.id ?? randomUUID();
  return withTransaction(store, async (tx) => {
    const row = await tx.db
      .insertInto('audits')
      .values({
        id,
        auditor: parameters.auditor,
        auditor_profile: toJson(parameters.auditorProfile ?? {}),
        scope: toJson(parameters.scope),
        commit: parameters.commit ?? null,
        report_path: parameters.reportPath ?? null,
        report_hash: parameters.reportHash ?? null,
        audit_date: parameters.auditDate,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const findings: AuditFinding[] = [];
    for (const finding of parameters.findings ?? []) {
      const inserted = await tx.db
        .insertInto('audit_findings')
        .values({
          id: finding.id ?? randomUUID(),
          audit_id: id,
          severity: finding.severity,
          title: finding.title,
          status: finding.status ?? 'open',
          resolution: finding.resolution ?? null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      findings.push(findingFromRow(inserted));
    }
    return { audit: auditFromRow(row), findings };
  });
}

/** Audits, most recent first. */
export async function listAudits(store: StoreClient): Promise<Audit[]> {
  const rows = await store.db.selectFrom('audits').selectAll().orderBy('audit_date', 'desc').orderBy('id').execute();
  return rows.map(auditFromRow);
}

export async function listAuditFindings(
  store: StoreClient,
  filter: { auditId?: string | undefined; status?: string | undefined } = {},
): Promise<AuditFinding[]> {
  let query = store.db.selectFrom('audit_findings').selectAll();
  if (filter.auditId) query = query.where('audit_id', '=', filter.auditId);
  if (filter.status) query = query.where('status', '=', filter.status);
  const rows = await query.orderBy('created_at').orderBy('id').execute();
  return rows.map(findingFromRow);
}

/** Sets a finding's status and resolution (for example `resolved`, "fixed in a1b2c3"). */
export async function updateAuditFinding(
  store: StoreClient,
  parameters: { id: string; status: string; resolution?: string | null | undefined },
): Promise<AuditFinding> {
  const row = await store.db
    .updateTable('audit_findings')
    .set({
      status: parameters.status,
      updated_at: new Date(),
      ...(parameters.resolution !== undefined ? { resolution: parameters.resolution } : {}),
    })
    .where('id', '=', parameters.id)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new NotFoundError(`No audit finding with id ${parameters.id}.`, { docsPath: 'store.md#governance' });
  return findingFromRow(row);
}
