import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { closest, UsageError } from '@bulwark/core';
import {
  addIncidentAction,
  addIncidentNote,
  buildPostmortem,
  checkIncidentState,
  checkSeverity,
  containmentVerdict,
  defaultContainmentTargets,
  formatDuration,
  formatPostmortemMarkdown,
  getIncidentRecord,
  type IncidentActionKind,
  type IncidentNoteField,
  incidentActionKinds,
  moveIncident,
  type Postmortem,
  parseContainmentTargets,
  recordIncident,
  resolveActor,
} from '@bulwark/governance';
import { type IncidentState, incidentStates, listIncidents } from '@bulwark/store';
import type { Io } from '../main.ts';
import { withStore } from '../store.ts';

export const incidentHelp = `Usage: bulwark incident <open|list|show|move|action|note|postmortem> [options]

Incidents come from the monitor or are opened by hand. States: detected → triaged → contained →
resolved → closed (containment may come before triage; a false positive is closed from detected
or triaged). Every change is logged in the tamper-evident log. ID is an incident id or a unique
prefix of at least 4 characters (as \`list\` shows).

  bulwark incident open --title TEXT --severity critical|high|medium|low|info
                        [--description TEXT] [--chain N] [--address 0x…] [--alert ID]…
                        [--started-at TIME] [--detected-at TIME]
  bulwark incident list [--state STATE[,STATE]] [--severity S] [--open]
  bulwark incident show ID
  bulwark incident move ID STATE [--note TEXT] [--root-cause TEXT] [--lessons TEXT] [--at TIME]
  bulwark incident action ID --kind pause|safe-proposal|notify|other --description TEXT
                        [--status done|sent|mined|verified|failed…] [--tx 0x…] [--dry-run] [--at TIME]
  bulwark incident note ID [TEXT] [--summary TEXT] [--impact TEXT] [--root-cause TEXT] [--lessons TEXT]
  bulwark incident postmortem ID [--format md|json] [--out FILE]

TIME is ISO 8601 (2025-03-01T10:15:00Z). --targets critical=1h,high=4h,medium=24h,low=72h,info=7d
(the defaults) sets the containment targets judged by list, show and postmortem.

Common options:
  -f, --format <text|json>  Output format (default: text; postmortem: md|json)
      --actor NAME          Who is acting, for the log (default: $BULWARK_ACTOR, else $USER)
      --db DIR              PGlite data folder (default: .bulwark/db; DATABASE_URL selects PostgreSQL)
  -h, --help                Show this help

Exit codes: 0 ok, 2 usage or tool error (an unknown id, a move the state machine refuses).
`;

const common = {
  format: { type: 'string', short: 'f' },
  actor: { type: 'string' },
  db: { type: 'string' },
  targets: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const subcommands = ['open', 'list', 'show', 'move', 'action', 'note', 'postmortem'] as const;

export async function incidentCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub) {
    io.stderr(incidentHelp);
    return 2;
  }
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout(incidentHelp);
    return 0;
  }
  const run = { open, list, show, move, action, note, postmortem }[sub as (typeof subcommands)[number]];
  if (!run || !(subcommands as readonly string[]).includes(sub)) {
    const suggestion = closest(sub, [...subcommands]);
    throw new UsageError(`'${sub}' is not an incident subcommand.`, {
      metaMessages: [
        suggestion ? `Did you mean \`bulwark incident ${suggestion}\`?` : `Use one of: ${subcommands.join(', ')}.`,
      ],
      docsPath: 'governance/incident.md',
    });
  }
  return run(rest, io);
}

function textOrJson(value: string | undefined): 'text' | 'json' {
  const f = value ?? 'text';
  if (f !== 'text' && f !== 'json')
    throw new UsageError(`--format ${f} is not a format here.`, { metaMessages: ['Use text or json.'] });
  return f;
}

function time(option: string, text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const date = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(date.getTime()))
    throw new UsageError(`--${option} ${text} is not a time.`, {
      metaMessages: ['Write it as ISO 8601, e.g. 2025-03-01T10:15:00Z.'],
    });
  return date;
}

function oneId(positionals: string[], sub: string, extra = ''): string {
  if (positionals.length === 0)
    throw new UsageError(`incident ${sub} needs an incident id.`, {
      metaMessages: [`Usage: bulwark incident ${sub} ID${extra} (see \`bulwark incident list\`).`],
    });
  return positionals[0]!;
}

function noExtra(positionals: string[], count: number, sub: string): void {
  if (positionals.length > count)
    throw new UsageError(`Unexpected argument '${positionals[count]}' for incident ${sub}.`, {
      metaMessages: ['Quote text that has spaces.'],
    });
}

const targetsFrom = (text: string | undefined) =>
  text === undefined ? defaultContainmentTargets : parseContainmentTargets(text);

async function open(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...common,
      title: { type: 'string' },
      severity: { type: 'string' },
      description: { type: 'string' },
      chain: { type: 'string' },
      address: { type: 'string' },
      alert: { type: 'string', multiple: true },
      'started-at': { type: 'string' },
      'detected-at': { type: 'string' },
    },
  });
  if (values.help) {
    io.stdout(incidentHelp);
    return 0;
  }
  noExtra(positionals, 0, 'open');
  const out = textOrJson(values.format);
  if (values.title === undefined || values.severity === undefined)
    throw new UsageError('incident open needs --title and --severity.', {
      metaMessages: ['Example: bulwark incident open --title "Vault drained" --severity critical'],
      docsPath: 'governance/incident.md#open',
    });
  const severity = checkSeverity(values.severity);
  const chainId = values.chain === undefined ? undefined : Number(values.chain);
  if (chainId !== undefined && !(Number.isSafeInteger(chainId) && chainId > 0))
    throw new UsageError(`--chain ${values.chain} is not a chain id.`, {
      metaMessages: ['Use a positive integer, e.g. 1.'],
    });
  const { incident, entry } = await withStore(io, { db: values.db }, (store) =>
    recordIncident(store, {
      title: values.title!,
      severity,
      description: values.description,
      chainId,
      address: values.address,
      alertIds: values.alert,
      startedAt: time('started-at', values['started-at']),
      detectedAt: time('detected-at', values['detected-at']),
      actor: resolveActor(values.actor, io.env),
    }),
  );
  if (out === 'json')
    io.stdout(`${JSON.stringify({ incident, log: { seq: entry.seq, hash: entry.hash } }, null, 2)}\n`);
  else io.stdout(`Opened incident ${incident.id} (${incident.severity}, detected). Logged as entry ${entry.seq}.\n`);
  return 0;
}

async function list(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...common, state: { type: 'string' }, severity: { type: 'string' }, open: { type: 'boolean' } },
  });
  if (values.help) {
    io.stdout(incidentHelp);
    return 0;
  }
  noExtra(positionals, 0, 'list');
  const out = textOrJson(values.format);
  const targets = targetsFrom(values.targets);
  let states: IncidentState[] | undefined = values.state?.split(',').map(checkIncidentState);
  if (values.open) states = (states ?? [...incidentStates]).filter((s) => s !== 'resolved' && s !== 'closed');
  const severity = values.severity === undefined ? undefined : checkSeverity(values.severity);
  const incidents = await withStore(io, { db: values.db }, (store) =>
    listIncidents(store, { state: states, severity }),
  );
  const now = new Date();
  const rows = incidents.map((incident) => ({ incident, containment: containmentVerdict(incident, targets, now) }));
  if (out === 'json') {
    io.stdout(
      `${JSON.stringify({ incidents: rows.map((r) => ({ ...r.incident, containment: r.containment })) }, null, 2)}\n`,
    );
    return 0;
  }
  if (rows.length === 0) {
    io.stdout('No incidents match.\n');
    return 0;
  }
  const table = [
    ['ID', 'SEVERITY', 'STATE', 'DETECTED (UTC)', 'TO CONTAIN', 'TARGET', 'TITLE'],
    ...rows.map(({ incident, containment }) => [
      incident.id.slice(0, 8),
      incident.severity,
      incident.state,
      incident.detectedAt.toISOString().slice(0, 19).replace('T', ' '),
      incident.containedAt ? formatDuration(incident.timeToContainMs) : '—',
      `${formatDuration(containment.targetMs)} ${containment.verdict}`,
      incident.title,
    ]),
  ];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  io.stdout(
    `${table.map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n')}\n`,
  );
  const missed = rows.filter((r) => r.containment.verdict === 'late' || r.containment.verdict === 'overdue');
  io.stdout(
    `\n${rows.length} incident${rows.length === 1 ? '' : 's'}; ${missed.length === 0 ? 'none missed its containment target' : `${missed.length} missed the containment target`}.\n`,
  );
  return 0;
}

async function show(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: common });
  if (values.help) {
    io.stdout(incidentHelp);
    return 0;
  }
  const id = oneId(positionals, 'show');
  noExtra(positionals, 1, 'show');
  const out = textOrJson(values.format);
  const targets = targetsFrom(values.targets);
  const record = await withStore(io, { db: values.db }, (store) => getIncidentRecord(store, id));
  const pm = buildPostmortem(record, { targets });
  if (out === 'json') {
    io.stdout(`${JSON.stringify(pm, null, 2)}\n`);
    return 0;
  }
  io.stdout(formatShow(pm));
  return 0;
}

function formatShow(pm: Postmortem): string {
  const t = pm.times;
  const lines = [
    `${pm.incident.id}  ${pm.incident.title}`,
    `  severity   ${pm.incident.severity}`,
    `  state      ${pm.incident.state}`,
    ...(pm.incident.address
      ? [`  contract   ${pm.incident.address}${pm.incident.chainId ? ` (chain ${pm.incident.chainId})` : ''}`]
      : []),
    `  detected   ${t.detectedAt}${t.timeToDetectMs === null ? '' : ` (time to detect ${formatDuration(t.timeToDetectMs)})`}`,
    `  contained  ${t.containedAt ? `${t.containedAt} (time to contain ${formatDuration(t.timeToContainMs)})` : 'not yet'}`,
    `  target     ${formatDuration(pm.containment.targetMs)}: ${pm.containment.verdict} (${formatDuration(pm.containment.elapsedMs)})`,
    '',
    'Timeline:',
    ...pm.timeline.map((e) => `  ${e.at}  ${e.actor.padEnd(10)}  ${e.text}`),
  ];
  if (pm.actions.length > 0)
    lines.push(
      '',
      'Actions:',
      ...pm.actions.map(
        (a) =>
          `  ${a.at}  ${a.source.padEnd(7)}  ${a.kind}${a.dryRun ? ' (dry run)' : ''} ${a.status}${a.txHash ? ` tx ${a.txHash}` : ''}${a.description ? `: ${a.description}` : ''}`,
      ),
    );
  if (pm.alerts.length > 0)
    lines.push(
      '',
      'Alerts:',
      ...pm.alerts.map(
        (a) => `  ${a.at}  ${a.ruleId} (${a.severity}, ${a.status})${a.txHash ? ` tx ${a.txHash}` : ''}`,
      ),
    );
  return `${lines.join('\n')}\n`;
}

async function move(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...common,
      note: { type: 'string' },
      'root-cause': { type: 'string' },
      lessons: { type: 'string' },
      impact: { type: 'string' },
      summary: { type: 'string' },
      at: { type: 'string' },
    },
  });
  if (values.help) {
    io.stdout(incidentHelp);
    return 0;
  }
  const id = oneId(positionals, 'move', ' STATE');
  if (positionals.length < 2)
    throw new UsageError('incident move needs the state to move to.', {
      metaMessages: [`Usage: bulwark incident move ID STATE, STATE one of ${incidentStates.join(', ')}.`],
    });
  noExtra(positionals, 2, 'move');
  const out = textOrJson(values.format);
  const to = checkIncidentState(positionals[1]!);
  const { incident, from, entry } = await withStore(io, { db: values.db }, (store) =>
    moveIncident(store, {
      id,
      to,
      note: values.note,
      notes: {
        'root-cause': values['root-cause'],
        lessons: values.lessons,
        impact: values.impact,
        summary: values.summary,
      },
      at: time('at', values.at),
      actor: resolveActor(values.actor, io.env),
    }),
  );
  if (out === 'json')
    io.stdout(`${JSON.stringify({ incident, from, log: { seq: entry.seq, hash: entry.hash } }, null, 2)}\n`);
  else {
    const since =
      to === 'contained' && incident.timeToContainMs !== null
        ? ` (time to contain ${formatDuration(incident.timeToContainMs)})`
        : '';
    io.stdout(`Incident ${incident.id}: ${from} → ${incident.state}${since}. Logged as entry ${entry.seq}.\n`);
  }
  return 0;
}

async function action(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...common,
      kind: { type: 'string' },
      description: { type: 'string' },
      status: { type: 'string' },
      tx: { type: 'string' },
      'dry-run': { type: 'boolean' },
      at: { type: 'string' },
    },
  });
  if (values.help) {
    io.stdout(incidentHelp);
    return 0;
  }
  const id = oneId(positionals, 'action');
  noExtra(positionals, 1, 'action');
  const out = textOrJson(values.format);
  const kind = values.kind ?? 'other';
  if (!(incidentActionKinds as readonly string[]).includes(kind)) {
    const suggestion = closest(kind, [...incidentActionKinds]);
    throw new UsageError(`--kind ${kind} is not an action kind.`, {
      metaMessages: [suggestion ? `Did you mean ${suggestion}?` : `Use ${incidentActionKinds.join(', ')}.`],
    });
  }
  if (values.description === undefined)
    throw new UsageError('incident action needs --description "what was done".', {
      docsPath: 'governance/incident.md#actions',
    });
  const { actionId, entry } = await withStore(io, { db: values.db }, (store) =>
    addIncidentAction(store, {
      id,
      kind: kind as IncidentActionKind,
      description: values.description!,
      status: values.status,
      txHash: values.tx,
      dryRun: values['dry-run'],
      at: time('at', values.at),
      actor: resolveActor(values.actor, io.env),
    }),
  );
  if (out === 'json')
    io.stdout(`${JSON.stringify({ actionId, log: { seq: entry.seq, hash: entry.hash } }, null, 2)}\n`);
  else io.stdout(`Recorded ${kind} action ${actionId}. Logged as entry ${entry.seq}.\n`);
  return 0;
}

async function note(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...common,
      summary: { type: 'string' },
      impact: { type: 'string' },
      'root-cause': { type: 'string' },
      lessons: { type: 'string' },
    },
  });
  if (values.help) {
    io.stdout(incidentHelp);
    return 0;
  }
  const id = oneId(positionals, 'note', ' [TEXT]');
  noExtra(positionals, 2, 'note');
  const out = textOrJson(values.format);
  const notes: [IncidentNoteField, string][] = [];
  if (positionals[1] !== undefined) notes.push(['note', positionals[1]]);
  for (const field of ['summary', 'impact', 'root-cause', 'lessons'] as const)
    if (values[field] !== undefined) notes.push([field, values[field]!]);
  if (notes.length === 0)
    throw new UsageError('incident note needs text: a plain note, or --summary, --impact, --root-cause, --lessons.', {
      docsPath: 'governance/incident.md#notes',
    });
  const actor = resolveActor(values.actor, io.env);
  const entries = await withStore(io, { db: values.db }, async (store) => {
    const logged = [];
    for (const [field, text] of notes) logged.push((await addIncidentNote(store, { id, field, text, actor })).entry);
    return logged;
  });
  if (out === 'json')
    io.stdout(`${JSON.stringify({ log: entries.map((e) => ({ seq: e.seq, hash: e.hash })) }, null, 2)}\n`);
  else
    io.stdout(
      `Added ${notes.map(([field]) => field).join(', ')}. Logged as entr${entries.length === 1 ? 'y' : 'ies'} ${entries.map((e) => e.seq).join(', ')}.\n`,
    );
  return 0;
}

async function postmortem(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...common, out: { type: 'string', short: 'o' } },
  });
  if (values.help) {
    io.stdout(incidentHelp);
    return 0;
  }
  const id = oneId(positionals, 'postmortem');
  noExtra(positionals, 1, 'postmortem');
  const format = values.format ?? 'md';
  if (format !== 'md' && format !== 'markdown' && format !== 'json')
    throw new UsageError(`--format ${format} is not a post-mortem format.`, { metaMessages: ['Use md or json.'] });
  const targets = targetsFrom(values.targets);
  const record = await withStore(io, { db: values.db }, (store) => getIncidentRecord(store, id));
  const pm = buildPostmortem(record, { targets });
  const text = format === 'json' ? `${JSON.stringify(pm, null, 2)}\n` : formatPostmortemMarkdown(pm);
  if (values.out) {
    writeFileSync(path.resolve(io.cwd, values.out), text);
    io.stderr(`Wrote the post-mortem of ${pm.incident.id} to ${values.out}.\n`);
  } else io.stdout(text);
  return 0;
}
