import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { closest, UsageError } from '@bulwark/core';
import {
  type AuditFindingInput,
  type AuditInput,
  addAudit,
  auditCoverage,
  type FindingResolutionStatus,
  findingSeverities,
  type LoadedManifest,
  loadManifest,
  localFindingId,
  manifestFileNames,
  readAuditFile,
  resolveActor,
  resolveAuditFinding,
  verifyAuditReports,
} from '@bulwark/governance';
import { listAuditFindings, listAudits } from '@bulwark/store';
import type { Io } from '../main.ts';
import { withStore } from '../store.ts';

export const auditHelp = `Usage: bulwark audit <add|status|resolve|verify|list> [options]

The audit register (advisory SBD-02/SBD-03: independent audits before go-live and before
changes, with the auditor's competency and track record judged by you). Every change is logged.

  bulwark audit add --auditor FIRM --competency TEXT --track-record TEXT --report FILE
                    (--scope FILE[,FILE…] | --contracts NAME[,NAME…]) [--date YYYY-MM-DD]
                    [--finding [ID:]SEVERITY:TITLE]… [--id ID]
  bulwark audit add --file audit.yaml        (the same fields in JSON or YAML; see the docs)
      Records the scope with each file's sha256 now, the git commit, the code hashes of the
      scoped contracts' artifacts, and the report's sha256 (the report must exist).
  bulwark audit status [--format text|json]
      Per manifest source file: audited, changed-after-audit or unaudited; and open high or
      critical findings. Exit 1 unless every file is audited and no such finding is open.
  bulwark audit resolve AUDIT_ID FINDING_ID --status fixed|acknowledged|wont-fix [--note TEXT]
  bulwark audit verify [AUDIT_ID]
      Re-hashes each report file; exit 1 when one changed or is gone.
  bulwark audit list [--format text|json]

--competency and --track-record may be repeated. Severities: ${findingSeverities.join(', ')}.
A note is required for acknowledged and wont-fix.

Common options:
      --manifest FILE       The manifest (default: bulwark.config.ts, .yaml, .yml or .json here);
                            paths are recorded relative to its folder
  -f, --format <text|json>  Output format (default: text)
      --actor NAME          Who is acting, for the log (default: $BULWARK_ACTOR, else $USER)
      --db DIR              PGlite data folder (default: .bulwark/db; DATABASE_URL selects PostgreSQL)
  -h, --help                Show this help

Exit codes: 0 ok, 1 check failed (status, verify), 2 usage or tool error.
Docs: docs/governance/audit.md
`;

const common = {
  manifest: { type: 'string' },
  format: { type: 'string', short: 'f' },
  actor: { type: 'string' },
  db: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const subcommands = ['add', 'status', 'resolve', 'verify', 'list'] as const;

export async function auditCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h' || sub === 'help') {
    (sub ? io.stdout : io.stderr)(auditHelp);
    return sub ? 0 : 2;
  }
  switch (sub) {
    case 'add':
      return add(rest, io);
    case 'status':
      return status(rest, io);
    case 'resolve':
      return resolveFinding(rest, io);
    case 'verify':
      return verify(rest, io);
    case 'list':
      return list(rest, io);
    default: {
      const guess = closest(sub, [...subcommands]);
      throw new UsageError(`'${sub}' is not an audit subcommand.`, {
        metaMessages: [guess ? `Did you mean \`bulwark audit ${guess}\`?` : `Use one of: ${subcommands.join(', ')}.`],
        docsPath: 'governance/audit.md',
      });
    }
  }
}

function formatOf(value: string | undefined): 'text' | 'json' {
  const format = value ?? 'text';
  if (format !== 'text' && format !== 'json')
    throw new UsageError(`--format ${format} is not a format here.`, { metaMessages: ['Use text or json.'] });
  return format;
}

/** The manifest when there is one (a broken one is an error); paths are relative to its folder. */
async function optionalManifest(io: Io, file: string | undefined): Promise<LoadedManifest | undefined> {
  if (!file && !manifestFileNames.some((name) => existsSync(resolve(io.cwd, name)))) return undefined;
  return loadManifest({ cwd: io.cwd, file });
}

const splitList = (values: string[] | undefined) =>
  (values ?? [])
    .flatMap((value) => value.split(','))
    .map((s) => s.trim())
    .filter(Boolean);

function parseFinding(text: string, index: number): AuditFindingInput {
  const parts = text.split(':');
  const severities = findingSeverities as readonly string[];
  let id: string | undefined;
  if (parts.length >= 3 && !severities.includes(parts[0].trim().toLowerCase())) id = parts.shift()!.trim();
  const severity = parts.shift()!.trim().toLowerCase();
  const title = parts.join(':').trim();
  if (!severities.includes(severity) || !title) {
    const guess = closest(severity, [...severities]);
    throw new UsageError(`--finding #${index + 1} "${text}" is not [ID:]SEVERITY:TITLE.`, {
      metaMessages: [
        guess && !severities.includes(severity)
          ? `Did you mean ${guess}?`
          : `Example: --finding "H-01:high:Reentrancy in withdraw". Severities: ${severities.join(', ')}.`,
      ],
    });
  }
  return { id, severity: severity as AuditFindingInput['severity'], title };
}

async function add(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...common,
      file: { type: 'string' },
      id: { type: 'string' },
      auditor: { type: 'string' },
      competency: { type: 'string', multiple: true },
      'track-record': { type: 'string', multiple: true },
      contact: { type: 'string' },
      date: { type: 'string' },
      scope: { type: 'string', multiple: true },
      contracts: { type: 'string', multiple: true },
      report: { type: 'string' },
      finding: { type: 'string', multiple: true },
    },
  });
  if (values.help) {
    io.stdout(auditHelp);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`Unexpected argument '${positionals[0]}'. Run with --help.`);
  const format = formatOf(values.format);
  const loaded = await optionalManifest(io, values.manifest);
  const base = loaded?.dir ?? io.cwd;
  const fromCwd = (path: string) => relative(base, resolve(io.cwd, path)) || '.';

  let input: AuditInput;
  if (values.file) {
    const mixed = ['auditor', 'competency', 'track-record', 'date', 'scope', 'contracts', 'report', 'finding'].filter(
      (key) => values[key as keyof typeof values] !== undefined,
    );
    if (mixed.length > 0)
      throw new UsageError(`--file cannot be combined with --${mixed[0]}.`, {
        metaMessages: ['Put every field in the file, or give them all as flags.'],
      });
    input = readAuditFile(resolve(io.cwd, values.file), base);
    if (values.id) input.id = values.id;
  } else {
    const missing = ['auditor', 'report'].filter((key) => !values[key as 'auditor' | 'report']);
    if (missing.length > 0)
      throw new UsageError(`audit add needs --${missing.join(' and --')}.`, {
        metaMessages: ['Run `bulwark audit --help` for the fields, or record the audit from a file with --file.'],
      });
    input = {
      id: values.id,
      auditor: {
        firm: values.auditor!,
        competency: values.competency ?? [],
        trackRecord: values['track-record'] ?? [],
        contact: values.contact,
      },
      date: values.date ?? new Date().toISOString().slice(0, 10),
      files: splitList(values.scope).map(fromCwd),
      contracts: splitList(values.contracts),
      report: fromCwd(values.report!),
      findings: (values.finding ?? []).map(parseFinding),
    };
  }
  const actor = resolveActor(values.actor, io.env);
  const result = await withStore(io, { db: values.db }, (store) =>
    addAudit(store, input, { base, manifest: loaded?.manifest, actor }),
  );
  for (const warning of result.warnings) io.stderr(`warning: ${warning}\n`);
  if (format === 'json') {
    io.stdout(`${JSON.stringify({ audit: result.audit, findings: result.findings }, null, 2)}\n`);
    return 0;
  }
  const { audit } = result;
  io.stdout(
    `${[
      `Recorded audit ${audit.id}: ${audit.auditor}, ${audit.auditDate}.`,
      `  scope     ${(audit.scope.files ?? []).length} file(s)${audit.commit ? ` at commit ${audit.commit.slice(0, 12)}` : ''}, ${(audit.scope.bytecodeHashes ?? []).length} contract code hash(es)`,
      `  report    ${audit.reportPath} sha256 ${audit.reportHash}`,
      `  findings  ${result.findings.length}${result.findings.length > 0 ? ` (${result.findings.filter((f) => f.status === 'open').length} open)` : ''}`,
    ].join('\n')}\n`,
  );
  return 0;
}

async function status(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: common });
  if (values.help) {
    io.stdout(auditHelp);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`Unexpected argument '${positionals[0]}'. Run with --help.`);
  const format = formatOf(values.format);
  const loaded = await loadManifest({ cwd: io.cwd, file: values.manifest });
  const coverage = await withStore(io, { db: values.db }, (store) =>
    auditCoverage(store, loaded.manifest, { cwd: loaded.dir }),
  );
  if (format === 'json') {
    io.stdout(`${JSON.stringify(coverage, null, 2)}\n`);
    return coverage.covered ? 0 : 1;
  }
  const width = Math.max(4, ...coverage.files.map((f) => f.path.length));
  const lines = coverage.files.map((file) => {
    const note =
      file.status === 'audited'
        ? `audit ${file.auditId}`
        : file.status === 'changed-after-audit'
          ? `changed since audit ${file.auditId}; sha256 now ${file.sha256.slice(0, 16)}…`
          : file.sha256
            ? ''
            : 'file not found';
    return `${file.status.padEnd(19)}  ${file.path.padEnd(width)}  ${note}`.trimEnd();
  });
  if (coverage.unresolvedHigh.length > 0) {
    lines.push('Open high or critical findings:');
    for (const f of coverage.unresolvedHigh)
      lines.push(`  ${f.auditId} ${localFindingId(f.auditId, f.findingId)}  ${f.title}`);
  }
  const audited = coverage.files.filter((f) => f.status === 'audited').length;
  lines.push(
    `${audited} of ${coverage.files.length} file(s) audited at their current content; ${coverage.unresolvedHigh.length} open high or critical finding(s).`,
  );
  io.stdout(`${lines.join('\n')}\n`);
  return coverage.covered ? 0 : 1;
}

async function resolveFinding(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...common, status: { type: 'string' }, note: { type: 'string' } },
  });
  if (values.help) {
    io.stdout(auditHelp);
    return 0;
  }
  const format = formatOf(values.format);
  const [auditId, findingId, extra] = positionals;
  if (!auditId || !findingId || extra !== undefined)
    throw new UsageError('audit resolve takes AUDIT_ID FINDING_ID.', {
      metaMessages: ['Example: bulwark audit resolve 2025-01-31-acme H-01 --status fixed --note "fixed in a1b2c3"'],
    });
  if (!values.status)
    throw new UsageError('audit resolve needs --status fixed|acknowledged|wont-fix.', {
      metaMessages: ['fixed: the code was changed; acknowledged or wont-fix: the risk is accepted (give --note).'],
    });
  const actor = resolveActor(values.actor, io.env);
  const { finding, previousStatus } = await withStore(io, { db: values.db }, (store) =>
    resolveAuditFinding(store, {
      auditId,
      findingId,
      status: values.status as FindingResolutionStatus,
      note: values.note,
      actor,
    }),
  );
  if (format === 'json') io.stdout(`${JSON.stringify({ finding, previousStatus }, null, 2)}\n`);
  else
    io.stdout(
      `Finding ${localFindingId(auditId, finding.id)} of audit ${auditId}: ${previousStatus} → ${finding.status}${finding.resolution ? ` (${finding.resolution})` : ''}.\n`,
    );
  return 0;
}

async function verify(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: common });
  if (values.help) {
    io.stdout(auditHelp);
    return 0;
  }
  const format = formatOf(values.format);
  if (positionals.length > 1) throw new UsageError('audit verify takes at most one AUDIT_ID.');
  const loaded = await optionalManifest(io, values.manifest);
  const base = loaded?.dir ?? io.cwd;
  const actor = resolveActor(values.actor, io.env);
  const { checks, ok } = await withStore(io, { db: values.db }, (store) =>
    verifyAuditReports(store, { base, auditId: positionals[0], actor }),
  );
  if (format === 'json') {
    io.stdout(`${JSON.stringify({ ok, checks }, null, 2)}\n`);
    return ok ? 0 : 1;
  }
  const lines = checks.map((check) => {
    switch (check.result) {
      case 'ok':
        return `ok       ${check.auditId}  ${check.reportPath} sha256 ${check.actualHash}`;
      case 'changed':
        return `CHANGED  ${check.auditId}  ${check.reportPath}: sha256 is ${check.actualHash}, recorded ${check.recordedHash}. The report is not the one recorded: restore it from the auditor's original.`;
      case 'missing':
        return `MISSING  ${check.auditId}  ${check.reportPath} does not exist (relative to ${base}): restore the report.`;
      default:
        return `NONE     ${check.auditId}  no report was recorded.`;
    }
  });
  if (checks.length === 0) lines.push('No audit recorded.');
  io.stdout(`${lines.join('\n')}\n`);
  if (!ok) io.stderr('error: an audit report does not match its recorded sha256.\n');
  return ok ? 0 : 1;
}

async function list(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: common });
  if (values.help) {
    io.stdout(auditHelp);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`Unexpected argument '${positionals[0]}'. Run with --help.`);
  const format = formatOf(values.format);
  const { audits, findings } = await withStore(io, { db: values.db }, async (store) => ({
    audits: await listAudits(store),
    findings: await listAuditFindings(store),
  }));
  if (format === 'json') {
    io.stdout(
      `${JSON.stringify(
        audits.map((audit) => ({ ...audit, findings: findings.filter((f) => f.auditId === audit.id) })),
        null,
        2,
      )}\n`,
    );
    return 0;
  }
  if (audits.length === 0) {
    io.stdout('No audit recorded. Add one with `bulwark audit add`.\n');
    return 0;
  }
  const lines: string[] = [];
  for (const audit of audits) {
    const rank = (severity: string) => {
      const index = (findingSeverities as readonly string[]).indexOf(severity);
      return index === -1 ? findingSeverities.length : index;
    };
    const own = findings
      .filter((f) => f.auditId === audit.id)
      .sort((a, b) => rank(a.severity) - rank(b.severity) || a.id.localeCompare(b.id));
    lines.push(
      `${audit.id}  ${audit.auditor}  ${audit.auditDate}  ${(audit.scope.files ?? []).length} file(s)  ${own.length} finding(s), ${own.filter((f) => f.status === 'open').length} open`,
    );
    for (const f of own)
      lines.push(
        `  ${localFindingId(audit.id, f.id).padEnd(8)} ${f.severity.padEnd(13)} ${f.status.padEnd(12)} ${f.title}`,
      );
  }
  io.stdout(`${lines.join('\n')}\n`);
  return 0;
}
