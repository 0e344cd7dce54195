import { type ConformanceFacts, isUnavailable } from '../collectFacts.ts';
import type { Assessments, EvidenceLink } from '../types.ts';
import { manifestGap } from './documentation.ts';
import { assessment, names, plural, ratioStatus } from './judge.ts';

/**
 * SBD-02 (independent audits before go-live): the contracts' files are covered by recorded audits
 * at their current content, with no open high finding. SBD-03 (audits of changes): no file changed
 * since the audit that covered it.
 */
export function assessAudits(facts: ConformanceFacts): Assessments {
  const { now, audits } = facts;
  const auditLinks: EvidenceLink[] = audits.map((a) => ({
    kind: 'audit',
    ref: `audit:${a.id}`,
    summary: `${a.auditor}, ${a.auditDate}${a.commit ? ` at ${a.commit.slice(0, 12)}` : ''}: ${plural(a.scope.files?.length ?? 0, 'file')} in scope`,
    at: a.createdAt.toISOString(),
    ...(a.reportPath ? { href: a.reportPath } : {}),
  }));
  const gap = manifestGap(facts);
  const coverage = facts.coverage;
  if (gap || !coverage || isUnavailable(coverage)) {
    const why =
      gap ??
      (coverage && isUnavailable(coverage)
        ? `The audit coverage could not be computed: ${coverage.error}`
        : 'No coverage computed.');
    const reason = `${audits.length > 0 ? `${plural(audits.length, 'audit')} recorded, but which code they cover is unknown. ` : 'No audit recorded. '}${why}`;
    return {
      'SBD-02': [assessment('audit-coverage', 'no-evidence', reason, now, auditLinks)],
      'SBD-03': [assessment('audit-changes', 'no-evidence', reason, now, auditLinks)],
    };
  }
  const audited = coverage.files.filter((f) => f.status === 'audited');
  const changed = coverage.files.filter((f) => f.status === 'changed-after-audit');
  const unaudited = coverage.files.filter((f) => f.status === 'unaudited');
  const fileLinks: EvidenceLink[] = coverage.files.map((f) => ({
    kind: 'audit-coverage',
    ref: f.path,
    summary: `${f.path}: ${f.status}${f.auditId ? ` (audit ${f.auditId})` : ''}`,
    status: f.status,
    href: f.path,
  }));
  const findingLinks: EvidenceLink[] = coverage.unresolvedHigh.map((f) => ({
    kind: 'audit-finding',
    ref: `audit:${f.auditId}#${f.findingId}`,
    summary: `open high finding: ${f.title}`,
    status: 'open',
  }));
  let coverageStatus = ratioStatus(audited.length, coverage.files.length);
  if (coverageStatus === 'met' && coverage.unresolvedHigh.length > 0) coverageStatus = 'partial';
  const coverageReason =
    coverage.files.length === 0
      ? 'The manifest lists no source file to audit.'
      : [
          `${audited.length} of ${plural(coverage.files.length, 'source file')} audited at their current content`,
          unaudited.length
            ? `; never audited: ${names(
                unaudited.map((f) => f.path),
                3,
              )}`
            : '',
          coverage.unresolvedHigh.length
            ? `; ${plural(coverage.unresolvedHigh.length, 'high finding')} still open`
            : '',
          '.',
        ].join('');
  const covered = coverage.files.filter((f) => f.status !== 'unaudited');
  const changesStatus = ratioStatus(covered.length - changed.length, covered.length);
  return {
    'SBD-02': [
      assessment('audit-coverage', coverageStatus, coverageReason, now, [...fileLinks, ...findingLinks, ...auditLinks]),
    ],
    'SBD-03': [
      assessment(
        'audit-changes',
        changesStatus,
        covered.length === 0
          ? 'No file has been audited yet, so no change can have been audited.'
          : changed.length === 0
            ? `None of the ${plural(covered.length, 'audited file')} changed since its audit.`
            : `${plural(changed.length, 'file')} changed after ${changed.length === 1 ? 'its' : 'their'} audit: ${names(
                changed.map((f) => f.path),
                3,
              )}.`,
        now,
        fileLinks.filter((l) => l.status !== 'unaudited'),
      ),
    ],
  };
}
