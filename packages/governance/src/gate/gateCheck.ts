import type { AppliedException } from '../exceptions/applyExceptions.ts';

export type CheckStatus = 'pass' | 'warn' | 'fail';

export const gateCheckIds = [
  'state',
  'scan',
  'audit',
  'audit-report',
  'tests',
  'approvals',
  'dependencies',
  'documentation',
  'pausable',
  'admin',
  'artifacts',
] as const;

export type GateCheckId = (typeof gateCheckIds)[number];

/** One check of the gate: its verdict and the reason, in words a release manager can act on. */
export type GateCheck = {
  id: GateCheckId;
  title: string;
  status: CheckStatus;
  reason: string;
  /** The advisory controls (see ADVISORY.md) this check gives evidence for. */
  controls: string[];
  /** What the reason summarises: the blocking findings, the pending dependencies… */
  details?: Record<string, unknown> | undefined;
  /** The exception that covers this check (accepted: the check warns instead of failing), see `bulwark exception`. */
  exception?: AppliedException | undefined;
};

/** What each check is, and which advisory controls it evidences. */
export const gateChecks: Record<GateCheckId, { title: string; controls: string[] }> = {
  state: { title: 'The log and every governance row verify', controls: ['SA-04'] },
  scan: { title: 'No unaccepted scanner finding at or above the threshold', controls: ['SBD-07'] },
  audit: { title: 'The exact code is audited; no open high finding', controls: ['SBD-02', 'SBD-03'] },
  'audit-report': { title: 'Audit reports match their recorded hashes', controls: ['SBD-02'] },
  tests: { title: 'A passing test report is attached', controls: ['GOV-05'] },
  approvals: { title: 'Enough distinct approvals of this release', controls: ['GOV-05', 'GOV-10'] },
  dependencies: { title: 'Every dependency reviewed at its exact version', controls: ['GOV-04'] },
  documentation: { title: 'Documentation complete and current', controls: ['SBD-04'] },
  pausable: { title: 'Contracts that hold value can be paused', controls: ['SBD-06'] },
  admin: { title: 'Admin powers behind a multisig or timelock', controls: ['SBD-08'] },
  artifacts: { title: 'Artifacts built from the sources as they are now', controls: ['GOV-05'] },
};

export function check(
  id: GateCheckId,
  status: CheckStatus,
  reason: string,
  details?: Record<string, unknown> | undefined,
): GateCheck {
  return { id, ...gateChecks[id], status, reason, ...(details ? { details } : {}) };
}

/** Joins names for a reason: `a, b and 3 more`. */
export function listNames(names: readonly string[], max = 5): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}
