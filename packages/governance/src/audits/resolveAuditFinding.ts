import { closest } from '@bulwark/core';
import { type AuditFinding, listAuditFindings, listAudits, type StoreClient, updateAuditFinding } from '@bulwark/store';
import { requireRole } from '../identity/requireRole.ts';
import { withLogEntry } from '../log/withLogEntry.ts';
import { localFindingId, storedFindingId } from './addAudit.ts';
import { AuditInputError, AuditNotFoundError } from './errors.ts';

export const findingResolutionStatuses = ['fixed', 'acknowledged', 'wont-fix'] as const;
export type FindingResolutionStatus = (typeof findingResolutionStatuses)[number];

export type ResolveAuditFindingParameters = {
  auditId: string;
  /** The finding's local id (`H-01`) or its stored id (`<auditId>:H-01`). */
  findingId: string;
  status: FindingResolutionStatus;
  /** What was done, or why the risk is accepted; required for acknowledged and wont-fix. */
  note?: string | undefined;
  actor: string;
};

/** Sets a finding's resolution, logged as `audit.resolve` in the same transaction. */
export async function resolveAuditFinding(
  store: StoreClient,
  parameters: ResolveAuditFindingParameters,
): Promise<{ finding: AuditFinding; previousStatus: string }> {
  if (!(findingResolutionStatuses as readonly string[]).includes(parameters.status)) {
    const guess = closest(parameters.status, [...findingResolutionStatuses]);
    throw new AuditInputError(`--status ${parameters.status} is not a resolution.`, {
      metaMessages: [guess ? `Fix: did you mean ${guess}?` : `Fix: use ${findingResolutionStatuses.join(', ')}.`],
    });
  }
  const note = parameters.note?.trim() || undefined;
  if (!note && parameters.status !== 'fixed')
    throw new AuditInputError(`A finding marked ${parameters.status} needs a --note saying why the risk is accepted.`, {
      metaMessages: ['Fix: add --note "…" (who decided, and why).'],
    });
  await requireRole(store, parameters.actor, 'resolve-findings');
  const audits = await listAudits(store);
  if (!audits.some((audit) => audit.id === parameters.auditId)) {
    const guess = closest(
      parameters.auditId,
      audits.map((audit) => audit.id),
    );
    throw new AuditNotFoundError(`No audit with id ${parameters.auditId}.`, {
      metaMessages: [guess ? `Did you mean ${guess}?` : 'Run `bulwark audit list` for the ids.'],
    });
  }
  const findings = await listAuditFindings(store, { auditId: parameters.auditId });
  const wanted = parameters.findingId.startsWith(`${parameters.auditId}:`)
    ? parameters.findingId
    : storedFindingId(parameters.auditId, parameters.findingId);
  const current = findings.find((finding) => finding.id === wanted || finding.id === parameters.findingId);
  if (!current) {
    const local = findings.map((finding) => localFindingId(parameters.auditId, finding.id));
    const guess = closest(parameters.findingId, local);
    throw new AuditNotFoundError(`Audit ${parameters.auditId} has no finding ${parameters.findingId}.`, {
      metaMessages: [
        guess
          ? `Did you mean ${guess}?`
          : local.length > 0
            ? `Its findings: ${local.join(', ')}.`
            : 'It has no findings.',
      ],
    });
  }
  const { result } = await withLogEntry(
    store,
    (tx) => updateAuditFinding(tx, { id: current.id, status: parameters.status, resolution: note ?? null }),
    (finding) => ({
      actor: parameters.actor,
      action: 'audit.resolve',
      payload: {
        auditId: parameters.auditId,
        findingId: finding.id,
        severity: finding.severity,
        from: current.status,
        to: finding.status,
        ...(note ? { note } : {}),
      },
    }),
  );
  return { finding: result, previousStatus: current.status };
}
