import { resolve } from 'node:path';
import { type Audit, listAuditFindings, listAudits, type StoreClient } from '@bulwark/store';
import { hashFile } from '../manifest/hashSources.ts';
import type { Manifest } from '../manifest/types.ts';
import { scopePath } from './scopePath.ts';

export type AuditCoverageStatus = 'audited' | 'changed-after-audit' | 'unaudited';

export type AuditCoverage = {
  files: { path: string; sha256: string; auditId: string | undefined; status: AuditCoverageStatus }[];
  unresolvedHigh: { auditId: string; findingId: string; title: string }[];
  covered: boolean;
};

/** Finding severities that block coverage while unresolved. */
export const blockingSeverities = ['critical', 'high'] as const;

/**
 * For each source file of the manifest's contracts: `audited` when an audit's scope holds the
 * file with its current sha256, `changed-after-audit` when audits cover the file but none at its
 * current content, else `unaudited`. With the open high or critical findings of every audit.
 * `covered` when every file is audited and no such finding is open.
 */
export async function auditCoverage(
  store: StoreClient,
  manifest: Manifest,
  parameters: { cwd: string },
): Promise<AuditCoverage> {
  const audits = await listAudits(store);
  const paths = [...new Set(manifest.contracts.flatMap((contract) => contract.sources.map(scopePath)))];
  const files = paths.map((path) => {
    const sha256 = hashFile(resolve(parameters.cwd, path)) ?? '';
    const covering = audits.filter((audit) => scopeHash(audit, path) !== undefined);
    const exact = covering.find((audit) => scopeHash(audit, path) === sha256);
    const status: AuditCoverageStatus = exact ? 'audited' : covering.length > 0 ? 'changed-after-audit' : 'unaudited';
    return { path, sha256, auditId: (exact ?? covering[0])?.id, status };
  });
  const open = await listAuditFindings(store, { status: 'open' });
  const unresolvedHigh = open
    .filter((finding) => (blockingSeverities as readonly string[]).includes(finding.severity.toLowerCase()))
    .map((finding) => ({ auditId: finding.auditId, findingId: finding.id, title: finding.title }));
  const covered = files.every((file) => file.status === 'audited') && unresolvedHigh.length === 0;
  return { files, unresolvedHigh, covered };
}

function scopeHash(audit: Audit, path: string): string | undefined {
  return audit.scope.files?.find((file) => scopePath(file.path) === path)?.hash;
}
