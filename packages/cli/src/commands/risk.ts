import { parseArgs } from 'node:util';
import { UsageError } from '@bulwark/core';
import {
  addRisk,
  closeRisk,
  formatHeatMapText,
  formatTreatment,
  getRiskEntry,
  listRiskRegister,
  parseScale,
  type RiskEntry,
  type RiskRating,
  resolveActor,
  reviseRisk,
  riskHeatMap,
  riskRatingBands,
  today,
} from '@bulwark/governance';
import type { Io } from '../main.ts';
import { withStore } from '../store.ts';
import { formatColumns, runSubcommand, textOrJson } from '../subcommands.ts';

export const riskHelp = `Usage: bulwark risk <add|list|update|show|close> [options]

Keep the risk register: each threat to an asset, scored likelihood × impact (1–5 each), with an
owner, a treatment, a review date and the advisory controls that treat it. Every change is logged
in the tamper-evident log.

  bulwark risk add --threat TEXT --asset TEXT --likelihood N --impact N --owner NAME
                   --treatment avoid|mitigate|transfer|accept [--plan TEXT]
                   [--review-date YYYY-MM-DD|+90d] [--controls GOV-01,SBD-06] [--id ID]
  bulwark risk list [--heatmap] [--owner NAME] [--rating low|medium|high|critical]
                    [--overdue] [--control ID] [--fail-on-overdue] [--include-closed]
  bulwark risk update ID [--threat …] [--asset …] [--likelihood N] [--impact N] [--owner …]
                    [--treatment …] [--plan TEXT] [--review-date DATE] [--clear-review-date]
                    [--controls IDS] [--add-controls IDS] [--remove-controls IDS] [--reviewed]
  bulwark risk show ID
  bulwark risk close ID --reason TEXT

Likelihood: 1 rare, 2 unlikely, 3 possible, 4 likely, 5 almost-certain.
Impact: 1 negligible, 2 minor, 3 moderate, 4 major, 5 severe (numbers or words).
--reviewed records a review; without --review-date the next one is due in 90 days.
close retires a risk with a reason: it leaves the open register (list shows it with
--include-closed) and its reviews, and stays readable with show.

Common options:
  -f, --format <text|json>  Output format (default: text)
      --actor NAME          Who is acting, for the log (default: $BULWARK_ACTOR, else $USER)
      --db DIR              PGlite data folder (default: .bulwark/db; DATABASE_URL selects PostgreSQL)
  -h, --help                Show this help

Exit codes: 0 ok, 1 --fail-on-overdue and a review is overdue, 2 usage or tool error.
`;

const common = {
  format: { type: 'string', short: 'f' },
  actor: { type: 'string' },
  db: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const fields = {
  threat: { type: 'string' },
  asset: { type: 'string' },
  likelihood: { type: 'string' },
  impact: { type: 'string' },
  owner: { type: 'string' },
  treatment: { type: 'string' },
  plan: { type: 'string' },
  'review-date': { type: 'string' },
  controls: { type: 'string' },
} as const;

export function riskCommand(argv: string[], io: Io): Promise<number> {
  return runSubcommand(argv, io, {
    command: 'risk',
    help: riskHelp,
    docsPath: 'governance/risk.md',
    handlers: { add, list, update, show, close },
  });
}

const splitList = (text: string | undefined) =>
  text
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);

async function add(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...common, ...fields, id: { type: 'string' } },
  });
  if (values.help) {
    io.stdout(riskHelp);
    return 0;
  }
  if (positionals.length > 0)
    throw new UsageError(`Unexpected argument '${positionals[0]}' for risk add.`, {
      metaMessages: ['Give every field as an option, e.g. --threat "Oracle manipulation" (quote text with spaces).'],
    });
  const out = textOrJson(values.format);
  const missing = (['threat', 'asset', 'likelihood', 'impact', 'owner', 'treatment'] as const).filter(
    (name) => values[name] === undefined,
  );
  if (missing.length > 0)
    throw new UsageError(`risk add needs ${missing.map((m) => `--${m}`).join(', ')}.`, {
      metaMessages: ['Run `bulwark risk --help` for the fields.'],
      docsPath: 'governance/risk.md#fields',
    });
  const { risk, entry } = await withStore(io, { db: values.db }, (store) =>
    addRisk(store, {
      id: values.id,
      threat: values.threat!,
      asset: values.asset!,
      likelihood: parseScale('likelihood', values.likelihood!),
      impact: parseScale('impact', values.impact!),
      owner: values.owner!,
      treatment: values.treatment!,
      plan: values.plan,
      reviewDate: values['review-date'],
      controls: splitList(values.controls),
      actor: resolveActor(values.actor, io.env),
    }),
  );
  if (out === 'json') io.stdout(`${JSON.stringify({ risk, log: { seq: entry.seq, hash: entry.hash } }, null, 2)}\n`);
  else io.stdout(`Added ${risk.id}: score ${risk.score} (${risk.rating}). Logged as entry ${entry.seq}.\n`);
  return 0;
}

async function list(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...common,
      heatmap: { type: 'boolean' },
      owner: { type: 'string' },
      rating: { type: 'string' },
      overdue: { type: 'boolean' },
      control: { type: 'string' },
      'fail-on-overdue': { type: 'boolean' },
      'include-closed': { type: 'boolean' },
    },
  });
  if (values.help) {
    io.stdout(riskHelp);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`Unexpected argument '${positionals[0]}' for risk list.`);
  const out = textOrJson(values.format);
  const ratings = riskRatingBands.map((b) => b.rating);
  if (values.rating !== undefined && !(ratings as string[]).includes(values.rating))
    throw new UsageError(`--rating ${values.rating} is not a rating.`, {
      metaMessages: [`Use ${ratings.join(', ')}.`],
    });
  const on = today();
  const { shown, all } = await withStore(io, { db: values.db }, async (store) => {
    const all = await listRiskRegister(store, { on });
    const shown = await listRiskRegister(store, {
      on,
      owner: values.owner,
      rating: values.rating as RiskRating | undefined,
      review: values.overdue ? 'overdue' : undefined,
      control: values.control,
      includeClosed: values['include-closed'],
    });
    return { shown, all };
  });
  const overdue = all.filter((r) => r.review.state === 'overdue');
  const heatMap = riskHeatMap(shown);
  if (out === 'json') {
    io.stdout(
      `${JSON.stringify(
        {
          on,
          risks: shown,
          overdue: overdue.map((r) => r.id),
          ...(values.heatmap ? { heatMap: heatMap.cells.map((row) => row.map((cell) => cell.count)) } : {}),
        },
        null,
        2,
      )}\n`,
    );
  } else {
    io.stdout(shown.length === 0 ? 'No risks match.\n' : formatTable(shown));
    if (values.heatmap) io.stdout(`\n${formatHeatMapText(heatMap)}`);
    const unreviewed = all.filter((r) => r.review.state === 'none');
    io.stdout(
      `\n${all.length} risks in the register; ${
        overdue.length === 0
          ? 'no review overdue'
          : `${overdue.length} review${overdue.length === 1 ? '' : 's'} OVERDUE (${overdue.map((r) => r.id).join(', ')})`
      }${unreviewed.length > 0 ? `; ${unreviewed.length} without a review date (${unreviewed.map((r) => r.id).join(', ')})` : ''}.\n`,
    );
  }
  return values['fail-on-overdue'] && overdue.length > 0 ? 1 : 0;
}

function reviewText(risk: RiskEntry): string {
  if (!risk.review.date) return 'none';
  if (risk.review.state === 'overdue') return `${risk.review.date} OVERDUE`;
  if (risk.review.state === 'due-soon') return `${risk.review.date} due soon`;
  return risk.review.date;
}

function formatTable(risks: RiskEntry[]): string {
  const rows = [
    ['ID', 'SCORE', 'RATING', 'L×I', 'OWNER', 'TREATMENT', 'REVIEW', 'CONTROLS', 'THREAT → ASSET'],
    ...risks.map((r) => [
      r.id,
      String(r.score),
      r.rating,
      `${r.likelihood}×${r.impact}`,
      r.owner,
      r.treatment.kind,
      reviewText(r),
      r.controls.join(',') || '-',
      `${r.threat} → ${r.asset}`,
    ]),
  ];
  return formatColumns(rows);
}

async function update(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...common,
      ...fields,
      'clear-review-date': { type: 'boolean' },
      'add-controls': { type: 'string' },
      'remove-controls': { type: 'string' },
      reviewed: { type: 'boolean' },
    },
  });
  if (values.help) {
    io.stdout(riskHelp);
    return 0;
  }
  const id = oneId(positionals, 'update');
  const out = textOrJson(values.format);
  if (values['clear-review-date'] && values['review-date'] !== undefined)
    throw new UsageError('Give --review-date or --clear-review-date, not both.');
  const { risk, changes, entry } = await withStore(io, { db: values.db }, (store) =>
    reviseRisk(store, {
      id,
      threat: values.threat,
      asset: values.asset,
      likelihood: values.likelihood === undefined ? undefined : parseScale('likelihood', values.likelihood),
      impact: values.impact === undefined ? undefined : parseScale('impact', values.impact),
      owner: values.owner,
      treatment: values.treatment,
      plan: values.plan,
      reviewDate: values['clear-review-date'] ? null : values['review-date'],
      controls: splitList(values.controls),
      addControls: splitList(values['add-controls']),
      removeControls: splitList(values['remove-controls']),
      reviewed: values.reviewed,
      actor: resolveActor(values.actor, io.env),
    }),
  );
  if (out === 'json') {
    io.stdout(`${JSON.stringify({ risk, changes, log: { seq: entry.seq, hash: entry.hash } }, null, 2)}\n`);
  } else {
    const lines = Object.entries(changes).map(
      ([field, [from, to]]) => `  ${field}: ${JSON.stringify(from)} → ${JSON.stringify(to)}`,
    );
    io.stdout(
      `${values.reviewed ? `Reviewed ${risk.id}` : `Updated ${risk.id}`}: score ${risk.score} (${risk.rating}), next review ${risk.review.date ?? 'not set'}. Logged as entry ${entry.seq}.\n${lines.join('\n')}${lines.length ? '\n' : ''}`,
    );
  }
  return 0;
}

async function show(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: common });
  if (values.help) {
    io.stdout(riskHelp);
    return 0;
  }
  const id = oneId(positionals, 'show');
  const out = textOrJson(values.format);
  const risk = await withStore(io, { db: values.db }, (store) => getRiskEntry(store, id));
  if (out === 'json') {
    io.stdout(`${JSON.stringify({ risk }, null, 2)}\n`);
    return 0;
  }
  io.stdout(
    [
      `${risk.id}: ${risk.threat}`,
      `  asset       ${risk.asset}`,
      `  score       ${risk.score} (${risk.rating}) = likelihood ${risk.likelihood} × impact ${risk.impact}`,
      `  owner       ${risk.owner}`,
      `  treatment   ${formatTreatment(risk.treatment)}`,
      `  review      ${reviewText(risk)}`,
      `  controls    ${risk.controls.join(', ') || 'none linked'}`,
      `  updated     ${risk.updatedAt.toISOString()} (added ${risk.createdAt.toISOString()})`,
      ...(risk.status === 'closed' ? [`  CLOSED      ${risk.closedAt?.toISOString()}: ${risk.closedReason}`] : []),
    ]
      .map((line) => `${line}\n`)
      .join(''),
  );
  return 0;
}

async function close(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...common, reason: { type: 'string' } },
  });
  if (values.help) {
    io.stdout(riskHelp);
    return 0;
  }
  const id = oneId(positionals, 'close');
  const out = textOrJson(values.format);
  if (values.reason === undefined)
    throw new UsageError('risk close needs --reason TEXT: why the risk no longer applies.', {
      docsPath: 'governance/risk.md#closing',
    });
  const { risk, entry } = await withStore(io, { db: values.db }, (store) =>
    closeRisk(store, { id, reason: values.reason!, actor: resolveActor(values.actor, io.env) }),
  );
  if (out === 'json') io.stdout(`${JSON.stringify({ risk, log: { seq: entry.seq, hash: entry.hash } }, null, 2)}\n`);
  else io.stdout(`Closed ${risk.id}: ${risk.closedReason}. Logged as entry ${entry.seq}.\n`);
  return 0;
}

function oneId(positionals: string[], sub: string): string {
  if (positionals.length !== 1)
    throw new UsageError(
      positionals.length === 0
        ? `risk ${sub} needs a risk id.`
        : `risk ${sub} takes one risk id, not ${positionals.length}.`,
      { metaMessages: [`Usage: bulwark risk ${sub} ID (see \`bulwark risk list\`).`] },
    );
  return positionals[0]!;
}
