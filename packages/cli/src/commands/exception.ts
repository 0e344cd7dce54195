import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '@bulwark/core';
import {
  approveException,
  defaultRequiredApprovals,
  type ExceptionStatus,
  exceptionStatus,
  gateCheckIds,
  loadManifest,
  manifestFileNames,
  readGateConfig,
  requestException,
  resolveActor,
  today,
} from '@bulwark/governance';
import { getException, listExceptions } from '@bulwark/store';
import type { Io } from '../main.ts';
import { withStore } from '../store.ts';
import { formatColumns, runSubcommand, textOrJson } from '../subcommands.ts';

export const exceptionHelp = `Usage: bulwark exception <request|approve|list|show> [options]

Accept a failed gate check or advisory control for a limited time, with a reason, a compensating
control and a quorum of approvers who are not the requester. The gate shows a check covered by
an accepted exception as a warning that names it; once the exception expires the check fails
again. Every request and approval is logged in the tamper-evident log.

  bulwark exception request (--check ${gateCheckIds.join('|')} | --control ID)
                            --reason TEXT --compensating TEXT --expires YYYY-MM-DD|+90d
  bulwark exception approve ID
  bulwark exception list [--state requested|accepted|expired]
  bulwark exception show ID

The quorum is the manifest's gate.exceptionApprovals (default: gate.requiredApprovals, 2), fixed
when the exception is requested. When the manifest lists gate.approvers, only they may approve.

Common options:
  -f, --format <text|json>  Output format (default: text)
      --actor NAME          Who is acting, for the log (default: $BULWARK_ACTOR, else $USER)
      --manifest FILE       The manifest (default: ${manifestFileNames.join('|')} here, when present)
      --db DIR              PGlite data folder (default: .bulwark/db; DATABASE_URL selects PostgreSQL)
  -h, --help                Show this help

Exit codes: 0 ok, 2 usage or tool error.
`;

const common = {
  format: { type: 'string', short: 'f' },
  actor: { type: 'string' },
  manifest: { type: 'string' },
  db: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const states = ['requested', 'accepted', 'expired'] as const;

export function exceptionCommand(argv: string[], io: Io): Promise<number> {
  return runSubcommand(argv, io, {
    command: 'exception',
    help: exceptionHelp,
    docsPath: 'governance/exceptions.md',
    handlers: { request, approve, list, show },
  });
}

/** The gate section's quorum and approver names, from the manifest when there is one. */
async function exceptionPolicy(io: Io, file: string | undefined) {
  const present = file !== undefined || manifestFileNames.some((name) => existsSync(path.resolve(io.cwd, name)));
  // Without a manifest: the gate's default quorum, anyone but the requester.
  if (!present) return { requiredApprovals: defaultRequiredApprovals, approvers: [] as string[] };
  const config = readGateConfig(await loadManifest({ cwd: io.cwd, file }));
  return { requiredApprovals: config.exceptionApprovals, approvers: config.approvers.map((a) => a.name) };
}

const toJson = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

async function request(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...common,
      check: { type: 'string' },
      control: { type: 'string' },
      reason: { type: 'string' },
      compensating: { type: 'string' },
      expires: { type: 'string' },
    },
  });
  if (values.help) {
    io.stdout(exceptionHelp);
    return 0;
  }
  if (positionals.length > 0)
    throw new UsageError(`Unexpected argument '${positionals[0]}' for exception request.`, {
      metaMessages: ['Give every field as an option, e.g. --reason "immutable by design" (quote text with spaces).'],
    });
  const out = textOrJson(values.format);
  const missing = (['reason', 'compensating', 'expires'] as const).filter((name) => values[name] === undefined);
  if (missing.length > 0)
    throw new UsageError(`exception request needs ${missing.map((m) => `--${m}`).join(', ')}.`, {
      metaMessages: ['Run `bulwark exception --help` for the fields.'],
      docsPath: 'governance/exceptions.md#requesting',
    });
  const policy = await exceptionPolicy(io, values.manifest);
  const { exception, entry } = await withStore(io, { db: values.db }, (store) =>
    requestException(store, {
      check: values.check,
      control: values.control,
      reason: values.reason!,
      compensating: values.compensating!,
      expires: values.expires!,
      requiredApprovals: policy.requiredApprovals,
      actor: resolveActor(values.actor, io.env),
    }),
  );
  if (out === 'json') io.stdout(toJson({ exception, log: { seq: entry.seq, hash: entry.hash } }));
  else
    io.stdout(
      `Requested ${exception.id} for ${exception.targetKind} ${exception.target} until ${exception.expiresOn}: it needs ${exception.requiredApprovals} approval(s) from others (\`bulwark exception approve ${exception.id}\`). Logged as entry ${entry.seq}.\n`,
    );
  return 0;
}

async function approve(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: common });
  if (values.help) {
    io.stdout(exceptionHelp);
    return 0;
  }
  const id = oneId(positionals, 'approve');
  const out = textOrJson(values.format);
  const policy = await exceptionPolicy(io, values.manifest);
  const { exception, entry } = await withStore(io, { db: values.db }, (store) =>
    approveException(store, { id, approver: resolveActor(values.actor, io.env), approvers: policy.approvers }),
  );
  if (out === 'json') io.stdout(toJson({ exception, log: { seq: entry.seq, hash: entry.hash } }));
  else
    io.stdout(
      `${exception.state === 'accepted' ? `Accepted ${exception.id}` : `Approved ${exception.id}; ${exception.approvalsMissing} more approval(s) needed`} (${exception.approvals.map((a) => a.approver).join(', ')}). Logged as entry ${entry.seq}.\n`,
    );
  return 0;
}

async function list(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...common, state: { type: 'string' } },
  });
  if (values.help) {
    io.stdout(exceptionHelp);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`Unexpected argument '${positionals[0]}' for exception list.`);
  const out = textOrJson(values.format);
  if (values.state !== undefined && !(states as readonly string[]).includes(values.state))
    throw new UsageError(`--state ${values.state} is not a state.`, { metaMessages: [`Use ${states.join(', ')}.`] });
  const on = today();
  const all = (await withStore(io, { db: values.db }, (store) => listExceptions(store))).map((e) =>
    exceptionStatus(e, on),
  );
  const shown = values.state ? all.filter((e) => e.state === values.state) : all;
  if (out === 'json') io.stdout(toJson({ on, exceptions: shown }));
  else io.stdout(shown.length === 0 ? 'No exceptions match.\n' : formatTable(shown));
  return 0;
}

function formatTable(exceptions: ExceptionStatus[]): string {
  const rows = [
    ['ID', 'TARGET', 'STATE', 'APPROVALS', 'EXPIRES', 'REQUESTED BY', 'REASON'],
    ...exceptions.map((e) => [
      e.id,
      `${e.targetKind} ${e.target}`,
      e.state === 'expired' ? 'EXPIRED' : e.state,
      `${e.approvals.length}/${e.requiredApprovals}`,
      e.expiresOn,
      e.requestedBy,
      e.reason,
    ]),
  ];
  return formatColumns(rows);
}

async function show(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: common });
  if (values.help) {
    io.stdout(exceptionHelp);
    return 0;
  }
  const id = oneId(positionals, 'show');
  const out = textOrJson(values.format);
  const exception = exceptionStatus(
    await withStore(io, { db: values.db }, (store) => getException(store, id.toUpperCase())),
    today(),
  );
  if (out === 'json') {
    io.stdout(toJson({ exception }));
    return 0;
  }
  io.stdout(
    [
      `${exception.id}: exception for ${exception.targetKind} ${exception.target} (${exception.state === 'expired' ? 'EXPIRED' : exception.state})`,
      `  reason        ${exception.reason}`,
      `  compensating  ${exception.compensating}`,
      `  expires       ${exception.expiresOn}`,
      `  requested     ${exception.requestedAt.toISOString()} by ${exception.requestedBy}`,
      `  approvals     ${exception.approvals.length} of ${exception.requiredApprovals}${exception.approvals.length > 0 ? `: ${exception.approvals.map((a) => `${a.approver} (${a.approvedAt.toISOString()})`).join(', ')}` : ''}`,
    ]
      .map((line) => `${line}\n`)
      .join(''),
  );
  return 0;
}

function oneId(positionals: string[], sub: string): string {
  if (positionals.length !== 1)
    throw new UsageError(
      positionals.length === 0
        ? `exception ${sub} needs an exception id.`
        : `exception ${sub} takes one exception id, not ${positionals.length}.`,
      { metaMessages: [`Usage: bulwark exception ${sub} ID (see \`bulwark exception list\`).`] },
    );
  return positionals[0]!;
}
