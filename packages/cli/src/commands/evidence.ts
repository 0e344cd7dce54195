import { parseArgs } from 'node:util';
import { jsonText, UsageError } from '@bulwark/core';
import {
  addEvidence,
  type EvidenceStatus,
  evidenceKinds,
  evidenceStatus,
  resolveActor,
  today,
} from '@bulwark/governance';
import { getEvidence, listEvidence } from '@bulwark/store';
import type { Io } from '../main.ts';
import { withStore } from '../store.ts';
import { formatColumns, runSubcommand, textOrJson } from '../subcommands.ts';

export const evidenceHelp = `Usage: bulwark evidence <add|list|show> [options]

Record the evidence behind advisory controls that no tool can collect: policies, BCP and DR
tests, pen tests, training records, threat models. Each file is hashed (sha256) and kept with
its owner and expiry; adding the same control and file again records a new version. Every
add is logged in the tamper-evident log; the conformance report links each piece.

  bulwark evidence add --control ID --file F --owner NAME --expires YYYY-MM-DD|+365d
                       [--kind ${evidenceKinds.join('|')}] [--title TEXT]
  bulwark evidence list [--control ID] [--all-versions] [--expired]
  bulwark evidence show ID

States: current; expired (past its expiry: it no longer counts); changed (the file at the
recorded path no longer has the recorded hash).

Common options:
  -f, --format <text|json>  Output format (default: text)
      --actor NAME          Who is acting, for the log (default: $BULWARK_ACTOR, else $USER)
      --db DIR              PGlite data folder (default: .bulwark/db; DATABASE_URL selects PostgreSQL)
  -h, --help                Show this help

Exit codes: 0 ok, 1 --expired and some evidence is expired or changed, 2 usage or tool error.
`;

const common = {
  format: { type: 'string', short: 'f' },
  actor: { type: 'string' },
  db: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function evidenceCommand(argv: string[], io: Io): Promise<number> {
  return runSubcommand(argv, io, {
    command: 'evidence',
    help: evidenceHelp,
    docsPath: 'governance/evidence.md',
    handlers: { add, list, show },
  });
}

const toJson = (value: unknown) => `${jsonText(value, 2)}\n`;

async function add(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...common,
      control: { type: 'string' },
      file: { type: 'string' },
      owner: { type: 'string' },
      expires: { type: 'string' },
      kind: { type: 'string' },
      title: { type: 'string' },
    },
  });
  if (values.help) {
    io.stdout(evidenceHelp);
    return 0;
  }
  if (positionals.length > 0)
    throw new UsageError(`Unexpected argument '${positionals[0]}' for evidence add.`, {
      metaMessages: ['Give the file with --file F (quote text with spaces).'],
    });
  const out = textOrJson(values.format);
  const missing = (['control', 'file', 'owner', 'expires'] as const).filter((name) => values[name] === undefined);
  if (missing.length > 0)
    throw new UsageError(`evidence add needs ${missing.map((m) => `--${m}`).join(', ')}.`, {
      metaMessages: ['Run `bulwark evidence --help` for the fields.'],
      docsPath: 'governance/evidence.md#adding',
    });
  const { evidence, entry } = await withStore(io, { db: values.db }, (store) =>
    addEvidence(store, {
      controlId: values.control!,
      file: values.file!,
      owner: values.owner!,
      expires: values.expires!,
      kind: values.kind,
      title: values.title,
      cwd: io.cwd,
      actor: resolveActor(values.actor, io.env),
    }),
  );
  if (out === 'json') io.stdout(toJson({ evidence, log: { seq: entry.seq, hash: entry.hash } }));
  else
    io.stdout(
      `Added evidence ${evidence.id} for ${evidence.controlId}: ${evidence.file} version ${evidence.version}, sha256 ${evidence.sha256}, expires ${evidence.expiresOn}. Logged as entry ${entry.seq}.\n`,
    );
  return 0;
}

async function list(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...common,
      control: { type: 'string' },
      'all-versions': { type: 'boolean' },
      expired: { type: 'boolean' },
    },
  });
  if (values.help) {
    io.stdout(evidenceHelp);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`Unexpected argument '${positionals[0]}' for evidence list.`);
  const out = textOrJson(values.format);
  const on = today();
  const all = await withStore(io, { db: values.db }, (store) =>
    listEvidence(store, { controlId: values.control?.trim().toUpperCase(), latest: !values['all-versions'] }),
  );
  const statuses = all.map((e) => evidenceStatus(e, on, io.cwd));
  const shown = values.expired ? statuses.filter((e) => e.state !== 'current') : statuses;
  if (out === 'json') io.stdout(toJson({ on, evidence: shown }));
  else io.stdout(shown.length === 0 ? 'No evidence matches.\n' : formatTable(shown));
  return values.expired && shown.length > 0 ? 1 : 0;
}

function formatTable(evidence: EvidenceStatus[]): string {
  const rows = [
    ['ID', 'CONTROL', 'KIND', 'VERSION', 'OWNER', 'EXPIRES', 'STATE', 'FILE'],
    ...evidence.map((e) => [
      String(e.id),
      e.controlId,
      e.kind,
      String(e.version),
      e.owner,
      e.expiresOn,
      e.state === 'current' ? 'current' : e.state.toUpperCase(),
      e.file,
    ]),
  ];
  return formatColumns(rows);
}

async function show(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: common });
  if (values.help) {
    io.stdout(evidenceHelp);
    return 0;
  }
  if (positionals.length !== 1 || !/^\d+$/.test(positionals[0]!))
    throw new UsageError(
      positionals.length === 0
        ? 'evidence show needs an evidence id.'
        : `'${positionals.join(' ')}' is not one evidence id.`,
      { metaMessages: ['Usage: bulwark evidence show ID (a number from `bulwark evidence list`).'] },
    );
  const out = textOrJson(values.format);
  const evidence = evidenceStatus(
    await withStore(io, { db: values.db }, (store) => getEvidence(store, Number(positionals[0]))),
    today(),
    io.cwd,
  );
  if (out === 'json') {
    io.stdout(toJson({ evidence }));
    return 0;
  }
  const fileState =
    evidence.fileMatches === undefined
      ? 'not found at the recorded path'
      : evidence.fileMatches
        ? 'matches the recorded hash'
        : 'CHANGED: no longer has the recorded hash';
  io.stdout(
    [
      `Evidence ${evidence.id}: ${evidence.title} (${evidence.kind}) for ${evidence.controlId}`,
      `  file      ${evidence.file}, version ${evidence.version}, ${evidence.size} bytes (${fileState})`,
      `  sha256    ${evidence.sha256}`,
      `  owner     ${evidence.owner}`,
      `  expires   ${evidence.expiresOn}${evidence.state === 'expired' ? ' EXPIRED' : ''}`,
      `  added     ${evidence.addedAt.toISOString()} by ${evidence.addedBy}`,
    ]
      .map((line) => `${line}\n`)
      .join(''),
  );
  return 0;
}
