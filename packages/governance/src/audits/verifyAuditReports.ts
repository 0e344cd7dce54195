import { resolve } from 'node:path';
import { listAudits, type StoreClient } from '@bulwark/store';
import { withLogEntry } from '../log/withLogEntry.ts';
import { hashFile } from '../manifest/hashSources.ts';
import { AuditNotFoundError } from './errors.ts';

export type AuditReportCheck = {
  auditId: string;
  reportPath: string | null;
  recordedHash: string | null;
  actualHash: string | undefined;
  result: 'ok' | 'changed' | 'missing' | 'no-report';
};

/**
 * Re-hashes the report file of each audit (or of one) and compares it with the sha256 recorded
 * when the audit was added. Logged as `audit.verify`.
 */
export async function verifyAuditReports(
  store: StoreClient,
  parameters: { base: string; auditId?: string | undefined; actor: string },
): Promise<{ checks: AuditReportCheck[]; ok: boolean }> {
  let audits = await listAudits(store);
  if (parameters.auditId) {
    audits = audits.filter((audit) => audit.id === parameters.auditId);
    if (audits.length === 0)
      throw new AuditNotFoundError(`No audit with id ${parameters.auditId}.`, {
        metaMessages: ['Run `bulwark audit list` for the ids.'],
      });
  }
  const checks = audits.map((audit): AuditReportCheck => {
    const base = { auditId: audit.id, reportPath: audit.reportPath, recordedHash: audit.reportHash };
    if (!audit.reportPath || !audit.reportHash) return { ...base, actualHash: undefined, result: 'no-report' };
    const actualHash = hashFile(resolve(parameters.base, audit.reportPath));
    if (actualHash === undefined) return { ...base, actualHash, result: 'missing' };
    return { ...base, actualHash, result: actualHash === audit.reportHash ? 'ok' : 'changed' };
  });
  const ok = checks.every((check) => check.result === 'ok');
  await withLogEntry(
    store,
    async () => undefined,
    () => ({
      actor: parameters.actor,
      action: 'audit.verify',
      payload: { ok, checks: checks.map(({ auditId, result, actualHash }) => ({ auditId, result, actualHash })) },
    }),
  );
  return { checks, ok };
}
