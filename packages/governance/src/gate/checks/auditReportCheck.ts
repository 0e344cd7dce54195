import { resolve } from 'node:path';
import { listAudits, type StoreClient } from '@bulwark/store';
import { hashFile } from '../../manifest/hashSources.ts';
import type { LoadedManifest } from '../../manifest/types.ts';
import { check, type GateCheck, listNames } from '../gateCheck.ts';

/**
 * Each recorded audit report must still be the file that was recorded: its sha256 now equals the
 * one stored when the audit was added. A report swapped or edited since fails, as does one gone.
 * Report paths are relative to the manifest's folder, as `bulwark audit add` records them.
 */
export async function auditReportCheck(store: StoreClient, loaded: LoadedManifest): Promise<GateCheck> {
  const audits = (await listAudits(store)).filter((audit) => audit.reportPath && audit.reportHash);
  const results = audits.map((audit) => {
    const actual = hashFile(resolve(loaded.dir, audit.reportPath!));
    return {
      auditId: audit.id,
      reportPath: audit.reportPath!,
      recorded: audit.reportHash!,
      actual: actual ?? null,
      status: actual === undefined ? 'missing' : actual === audit.reportHash ? 'ok' : 'changed',
    };
  });
  const bad = results.filter((r) => r.status !== 'ok');
  if (audits.length === 0) return check('audit-report', 'pass', 'No audit report recorded with a hash.', { results });
  if (bad.length === 0)
    return check('audit-report', 'pass', `${results.length} audit report(s) match their recorded sha256.`, { results });
  return check(
    'audit-report',
    'fail',
    `${bad.length} audit report(s) differ from what was recorded: ${listNames(
      bad.map(
        (r) =>
          `${r.reportPath} (audit ${r.auditId}) ${r.status === 'missing' ? 'is missing' : `has sha256 ${r.actual?.slice(0, 12)}…, recorded ${r.recorded.slice(0, 12)}…`}`,
      ),
    )}. Restore the report the auditor delivered, or record the new one with bulwark audit add.`,
    { results },
  );
}
