import type { StoreClient } from '@bulwark/store';
import { auditCoverage } from '../../audits/auditCoverage.ts';
import type { LoadedManifest } from '../../manifest/types.ts';
import { check, type GateCheck, listNames } from '../gateCheck.ts';

/** Passes when every source file is covered by an audit at its current content and no high finding is open. */
export async function auditCheck(store: StoreClient, loaded: LoadedManifest): Promise<GateCheck> {
  const coverage = await auditCoverage(store, loaded.manifest, { cwd: loaded.dir });
  const changed = coverage.files.filter((f) => f.status === 'changed-after-audit').map((f) => f.path);
  const unaudited = coverage.files.filter((f) => f.status === 'unaudited').map((f) => f.path);
  const details = { files: coverage.files, unresolvedHigh: coverage.unresolvedHigh };
  if (coverage.covered)
    return check(
      'audit',
      'pass',
      `${coverage.files.length} file(s) audited at their current content; no open high finding.`,
      details,
    );
  const problems = [
    changed.length > 0 ? `changed after their audit: ${listNames(changed)}` : undefined,
    unaudited.length > 0 ? `never audited: ${listNames(unaudited)}` : undefined,
    coverage.unresolvedHigh.length > 0
      ? `open high finding(s): ${listNames(coverage.unresolvedHigh.map((f) => `"${f.title}" (audit ${f.auditId})`))}`
      : undefined,
  ].filter(Boolean);
  return check(
    'audit',
    'fail',
    `${problems.join('; ')}. Have the changes audited (bulwark audit add) and resolve high findings.`,
    details,
  );
}
