import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { closest } from '@bulwark/core';
import { type Audit, type AuditFinding, insertAudit, listAudits, type StoreClient } from '@bulwark/store';
import { normalizeRuntimeCode } from '../deployment/normalizeRuntimeCode.ts';
import { readArtifact } from '../deployment/readArtifact.ts';
import { withLogEntry } from '../log/withLogEntry.ts';
import { hashFile } from '../manifest/hashSources.ts';
import type { Manifest } from '../manifest/types.ts';
import { AuditInputError } from './errors.ts';
import { scopePath } from './scopePath.ts';

export const findingSeverities = ['critical', 'high', 'medium', 'low', 'informational'] as const;
export type FindingSeverity = (typeof findingSeverities)[number];

export const findingStatuses = ['open', 'fixed', 'acknowledged', 'wont-fix'] as const;
export type FindingStatus = (typeof findingStatuses)[number];

export type AuditorProfile = {
  firm: string;
  /** How the provider judged the auditor's competency: certifications, specialisation (advisory SBD-02). */
  competency: string[];
  /** Track record: past audits, public reports. */
  trackRecord: string[];
  contact?: string | undefined;
};

export type AuditFindingInput = {
  /** Local id such as `H-01`; default `F-1`, `F-2`… in order. */
  id?: string | undefined;
  title: string;
  severity: FindingSeverity;
  status?: FindingStatus | undefined;
  resolution?: string | undefined;
};

export type AuditInput = {
  /** Default: `<date>-<firm>` (with `-2`, `-3`… when taken). */
  id?: string | undefined;
  auditor: AuditorProfile;
  /** YYYY-MM-DD. */
  date: string;
  /** Audited files, relative to `base`. */
  files?: string[] | undefined;
  /** Audited manifest contracts: their sources join the scope, their artifacts' code hashes are recorded. */
  contracts?: string[] | undefined;
  /** The report file, relative to `base`; it must exist. */
  report: string;
  findings?: AuditFindingInput[] | undefined;
};

export type AddAuditParameters = {
  /** The folder paths are relative to: the manifest's folder when there is one. */
  base: string;
  manifest?: Manifest | undefined;
  actor: string;
};

export type AddAuditReturnType = {
  audit: Audit;
  findings: AuditFinding[];
  /** What could not be recorded (an artifact that is not built…). */
  warnings: string[];
};

/** A finding's id in the store: the audit's id and the finding's local id. */
export const storedFindingId = (auditId: string, localId: string): string => `${auditId}:${localId}`;

/** The local part of a stored finding id (`H-01` of `<auditId>:H-01`). */
export const localFindingId = (auditId: string, id: string): string =>
  id.startsWith(`${auditId}:`) ? id.slice(auditId.length + 1) : id;

/**
 * Records an audit: the auditor and how they were judged, the scope (each file with its sha256
 * now, the git commit, the code hashes of the scoped contracts' artifacts), the report with its
 * sha256, and the findings. Logged as `audit.add` in the same transaction.
 */
export async function addAudit(
  store: StoreClient,
  input: AuditInput,
  parameters: AddAuditParameters,
): Promise<AddAuditReturnType> {
  const { base, manifest } = parameters;
  const warnings: string[] = [];
  checkInput(input);

  const contracts = (input.contracts ?? []).map((name) => {
    const contract = manifest?.contracts.find((c) => c.name === name);
    if (contract) return contract;
    if (!manifest)
      throw new AuditInputError(`The scope names contract ${name}, but there is no manifest to find it in.`, {
        metaMessages: ['Fix: run in the folder of bulwark.config.*, pass --manifest FILE, or list files instead.'],
      });
    const guess = closest(
      name,
      manifest.contracts.map((c) => c.name),
    );
    throw new AuditInputError(`The scope names contract ${name}, which is not in the manifest.`, {
      metaMessages: [
        guess ? `Fix: did you mean ${guess}?` : `Fix: use one of ${manifest.contracts.map((c) => c.name).join(', ')}.`,
      ],
    });
  });
  const paths = [...new Set([...(input.files ?? []), ...contracts.flatMap((c) => c.sources)].map(scopePath))];
  if (paths.length === 0)
    throw new AuditInputError('The audit has no scope.', {
      metaMessages: ['Fix: give the audited files (--scope) or manifest contracts (--contracts).'],
    });
  const files = paths.map((path) => {
    const full = resolve(base, path);
    const hash = existsSync(full) && statSync(full).isFile() ? hashFile(full) : undefined;
    if (hash === undefined)
      throw new AuditInputError(`The scoped file ${path} does not exist (relative to ${base}).`, {
        metaMessages: ['Fix: give the path of the audited file as it is in the repository.'],
      });
    return { path, hash };
  });

  const reportPath = scopePath(input.report);
  const reportFull = resolve(base, reportPath);
  if (!existsSync(reportFull) || !statSync(reportFull).isFile())
    throw new AuditInputError(`The audit report ${reportPath} does not exist (relative to ${base}).`, {
      metaMessages: ['Fix: save the report in the repository and give its path; its sha256 is recorded.'],
    });
  const reportHash = hashFile(reportFull)!;

  // The scoped contracts: named ones, and manifest contracts whose sources are all in scope.
  const scoped = new Map(contracts.map((c) => [c.name, c]));
  for (const contract of manifest?.contracts ?? [])
    if (contract.sources.every((source) => paths.includes(scopePath(source)))) scoped.set(contract.name, contract);
  const bytecodeHashes: string[] = [];
  const bytecodeByContract: Record<string, string> = {};
  for (const contract of scoped.values()) {
    try {
      const artifact = readArtifact(contract, base);
      const { hash } = normalizeRuntimeCode(artifact.deployedBytecode, artifact.immutableRanges);
      bytecodeHashes.push(hash);
      bytecodeByContract[contract.name] = hash;
    } catch (error) {
      warnings.push(
        `No code hash for ${contract.name}: ${(error as { shortMessage?: string }).shortMessage ?? (error as Error).message}`,
      );
    }
  }

  const git = gitState(base, paths);
  const id = input.id ?? (await freeId(store, `${input.date}-${slug(input.auditor.firm)}`));
  const findings = (input.findings ?? []).map((finding, i) => ({
    id: storedFindingId(id, finding.id ?? `F-${i + 1}`),
    severity: finding.severity,
    title: finding.title,
    status: finding.status ?? 'open',
    resolution: finding.resolution ?? null,
  }));
  const duplicate = findings.find((f, i) => findings.findIndex((g) => g.id === f.id) !== i);
  if (duplicate)
    throw new AuditInputError(`Two findings have the id ${duplicate.id.slice(id.length + 1)}.`, {
      metaMessages: ['Fix: give each finding its own id.'],
    });
  if ((await listAudits(store)).some((audit) => audit.id === id))
    throw new AuditInputError(`An audit with id ${id} is already recorded.`, {
      metaMessages: ['Fix: give another --id; recorded audits are not overwritten.'],
    });

  const { result } = await withLogEntry(
    store,
    (tx) =>
      insertAudit(tx, {
        id,
        auditor: input.auditor.firm,
        auditorProfile: { ...input.auditor },
        scope: {
          files,
          bytecodeHashes,
          contracts: bytecodeByContract,
          contractNames: [...scoped.keys()],
          ...(git.dirty.length > 0 ? { uncommittedFiles: git.dirty } : {}),
        },
        commit: git.commit ?? null,
        reportPath,
        reportHash,
        auditDate: input.date,
        findings,
      }),
    ({ audit, findings: stored }) => ({
      actor: parameters.actor,
      action: 'audit.add',
      payload: {
        auditId: audit.id,
        auditor: audit.auditor,
        date: audit.auditDate,
        commit: audit.commit,
        files,
        bytecodeHashes,
        report: { path: reportPath, sha256: reportHash },
        findings: stored.map((f) => ({ id: f.id, severity: f.severity, status: f.status })),
      },
    }),
  );
  return { ...result, warnings };
}

function checkInput(input: AuditInput): void {
  const fail = (problem: string, fix: string): never => {
    throw new AuditInputError(`The audit ${problem}.`, { metaMessages: [`Fix: ${fix}`] });
  };
  if (!input.auditor.firm.trim()) fail('has no auditor firm', 'give --auditor FIRM.');
  if (input.auditor.competency.length === 0)
    fail(
      'does not say how the auditor is competent',
      'give --competency (certifications, specialisation): the advisory (SBD-02) asks you to judge it.',
    );
  if (input.auditor.trackRecord.length === 0)
    fail(
      'does not give the auditor track record',
      'give --track-record (past audits, public reports): the advisory (SBD-02) asks you to judge it.',
    );
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.date) || Number.isNaN(Date.parse(input.date)))
    fail(`date ${JSON.stringify(input.date)} is not a date`, 'write it as YYYY-MM-DD.');
  if (input.id !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(input.id))
    fail(`id ${JSON.stringify(input.id)} is not usable`, 'use letters, digits, dot, dash and underscore.');
  (input.findings ?? []).forEach((finding, i) => {
    const at = `finding ${finding.id ?? i + 1}`;
    if (!finding.title?.trim()) fail(`${at} has no title`, 'give each finding a title.');
    if (!(findingSeverities as readonly string[]).includes(finding.severity)) {
      const guess = closest(String(finding.severity), [...findingSeverities]);
      fail(
        `${at} has severity ${JSON.stringify(finding.severity)}`,
        guess ? `did you mean ${guess}?` : `use one of ${findingSeverities.join(', ')}.`,
      );
    }
    if (finding.status !== undefined && !(findingStatuses as readonly string[]).includes(finding.status)) {
      const guess = closest(String(finding.status), [...findingStatuses]);
      fail(
        `${at} has status ${JSON.stringify(finding.status)}`,
        guess ? `did you mean ${guess}?` : `use one of ${findingStatuses.join(', ')}.`,
      );
    }
    if (finding.id !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(finding.id))
      fail(`${at} has an id with other characters than letters, digits, . _ -`, 'use ids such as H-01.');
  });
}

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || 'audit'
  );
}

async function freeId(store: StoreClient, wanted: string): Promise<string> {
  const taken = new Set((await listAudits(store)).map((audit) => audit.id));
  if (!taken.has(wanted)) return wanted;
  for (let n = 2; ; n++) if (!taken.has(`${wanted}-${n}`)) return `${wanted}-${n}`;
}

/** The HEAD commit when `base` is in a git work tree, and which scoped files differ from it. */
function gitState(base: string, paths: string[]): { commit: string | undefined; dirty: string[] } {
  const git = (args: string[]) =>
    execFileSync('git', ['-C', base, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const commit = git(['rev-parse', 'HEAD']);
    // Paths relative to `base`, like the scope's: changed since HEAD, or not in git at all.
    const changed = git(['diff', '--name-only', '--relative', 'HEAD', '--', ...paths]);
    const untracked = git(['ls-files', '--others', '--exclude-standard', '--', ...paths]);
    const dirty = [...new Set(`${changed}\n${untracked}`.split('\n').filter(Boolean))].sort();
    return { commit: /^[0-9a-f]{40,64}$/.test(commit) ? commit : undefined, dirty };
  } catch {
    return { commit: undefined, dirty: [] };
  }
}
