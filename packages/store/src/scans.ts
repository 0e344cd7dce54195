import { randomUUID } from 'node:crypto';
import { InputError } from '@bulwark/core';
import type { Selectable } from 'kysely';
import { NotFoundError } from './errors.ts';
import { toJson } from './json.ts';
import type { ScanFindingStatus, ScanFindingsTable, ScanRunsTable } from './schema.ts';
import { type StoreClient, withTransaction } from './store.ts';

export type ScanRun = {
  id: string;
  commit: string | null;
  toolVersion: string | null;
  startedAt: Date;
  finishedAt: Date | null;
  config: Record<string, unknown>;
  summary: Record<string, unknown>;
};

export type ScanFinding = {
  id: bigint;
  scanRunId: string;
  fingerprint: string;
  detector: string;
  impact: string;
  confidence: string | null;
  file: string;
  line: number;
  status: ScanFindingStatus;
  acceptedReason: string | null;
  data: Record<string, unknown>;
};

const runFromRow = (row: Selectable<ScanRunsTable>): ScanRun => ({
  id: row.id,
  commit: row.commit,
  toolVersion: row.tool_version,
  startedAt: row.started_at,
  finishedAt: row.finished_at,
  config: row.config,
  summary: row.summary,
});

const findingFromRow = (row: Selectable<ScanFindingsTable>): ScanFinding => ({
  id: row.id,
  scanRunId: row.scan_run_id,
  fingerprint: row.fingerprint,
  detector: row.detector,
  impact: row.impact,
  confidence: row.confidence,
  file: row.file,
  line: row.line,
  status: row.status,
  acceptedReason: row.accepted_reason,
  data: row.data,
});

export type InsertScanRunParameters = {
  id?: string | undefined;
  commit?: string | null | undefined;
  toolVersion?: string | null | undefined;
  startedAt: Date;
  finishedAt?: Date | null | undefined;
  config?: Record<string, unknown> | undefined;
  summary?: Record<string, unknown> | undefined;
  findings: {
    fingerprint: string;
    detector: string;
    impact: string;
    confidence?: string | null;
    file: string;
    line: number;
    status?: ScanFindingStatus;
    acceptedReason?: string | null;
    data?: Record<string, unknown>;
  }[];
};

/** Records a scan and its findings in one transaction. */
export async function insertScanRun(
  store: StoreClient,
  parameters: InsertScanRunParameters,
): Promise<{ run: ScanRun; findings: ScanFinding[] }> {
  for (const finding of parameters.findings)
    if (finding.status === 'accepted' && !finding.acceptedReason)
      throw new InputError(`The accepted finding ${finding.fingerprint} has no reason.`);
  const id = parameters.id ?? randomUUID();
  return withTransaction(store, async (tx) => {
    const run = await tx.db
      .insertInto('scan_runs')
      .values({
        id,
        commit: parameters.commit ?? null,
        tool_version: parameters.toolVersion ?? null,
        started_at: parameters.startedAt,
        finished_at: parameters.finishedAt ?? null,
        config: toJson(parameters.config ?? {}),
        summary: toJson(parameters.summary ?? {}),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const findings =
      parameters.findings.length === 0
        ? []
        : await tx.db
            .insertInto('scan_findings')
            .values(
              parameters.findings.map((f) => ({
                scan_run_id: id,
                fingerprint: f.fingerprint,
                detector: f.detector,
                impact: f.impact,
                confidence: f.confidence ?? null,
                file: f.file,
                line: f.line,
                status: f.status ?? 'open',
                accepted_reason: f.acceptedReason ?? null,
                data: toJson(f.data ?? {}),
              })),
            )
            .returningAll()
            .execute();
    return { run: runFromRow(run), findings: findings.map(findingFromRow).sort((a, b) => Number(a.id - b.id)) };
  });
}

/** Scan runs, newest first. */
export async function listScanRuns(
  store: StoreClient,
  filter: { commit?: string | undefined } = {},
): Promise<ScanRun[]> {
  let query = store.db.selectFrom('scan_runs').selectAll();
  if (filter.commit) query = query.where('commit', '=', filter.commit);
  const rows = await query.orderBy('started_at', 'desc').orderBy('id').execute();
  return rows.map(runFromRow);
}

export async function listScanFindings(
  store: StoreClient,
  filter: {
    scanRunId?: string | undefined;
    status?: ScanFindingStatus | undefined;
    fingerprint?: string | undefined;
  } = {},
): Promise<ScanFinding[]> {
  let query = store.db.selectFrom('scan_findings').selectAll();
  if (filter.scanRunId) query = query.where('scan_run_id', '=', filter.scanRunId);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.fingerprint) query = query.where('fingerprint', '=', filter.fingerprint);
  const rows = await query.orderBy('id').execute();
  return rows.map(findingFromRow);
}

/** Accepts a finding of a run, with the reason (required: an accepted risk must say why). */
export async function acceptScanFinding(
  store: StoreClient,
  parameters: { scanRunId: string; fingerprint: string; reason: string },
): Promise<ScanFinding> {
  if (!parameters.reason.trim()) throw new InputError('Accepting a finding needs a reason.');
  const row = await store.db
    .updateTable('scan_findings')
    .set({ status: 'accepted', accepted_reason: parameters.reason })
    .where('scan_run_id', '=', parameters.scanRunId)
    .where('fingerprint', '=', parameters.fingerprint)
    .returningAll()
    .executeTakeFirst();
  if (!row)
    throw new NotFoundError(`Scan run ${parameters.scanRunId} has no finding ${parameters.fingerprint}.`, {
      docsPath: 'store.md#governance',
    });
  return findingFromRow(row);
}
