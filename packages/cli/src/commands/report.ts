import { renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { InputError, UsageError } from '@bulwark/core';
import {
  type ConformanceReport,
  defaultChromiumPath,
  evaluateConformance,
  isSignatureAlgorithm,
  loadManifest,
  parseContainmentTargets,
  parseDuration,
  parseReportPeriod,
  readGateConfig,
  readSigningKey,
  renderConformanceHtml,
  renderPdf,
  resolveActor,
  signOffReport,
} from '@bulwark/governance';
import type { Io } from '../main.ts';
import { withStore } from '../store.ts';

export const reportHelp = `Usage: bulwark report [--format html|pdf|json] [--out FILE] [--from DAY --to DAY] [options]
       bulwark report sign --from DAY --to DAY --key FILE --signer NAME [--algorithm ed25519|secp256k1]

The conformance report: every control of the advisory catalogue with a status (met, partial,
not-met, not-applicable, no-evidence) computed from the evidence in the system — the risk
register, incidents, the tamper-evident log, gate decisions, audits, dependency reviews, the
monitor's baselines and checkpoints, responder actions — and, when a manifest is found, live
documentation, audit-coverage, dependency and design checks. With the risk heat map and incident
statistics, each control's section and page in the advisory, the audits with their auditors'
competency and report hashes, the log head, and the accountable sign-offs of the period.

\`report sign\` signs the period's report with an approver's key (the manifest's gate.approvers):
the signature covers the project, the period and the log head, and is logged as report.signoff.
A report for the same period lists every sign-off and whether it verifies.

Options:
  -f, --format <html|pdf|json>  Output format (default: from --out's extension, else html)
  -o, --out FILE                Write the report here (required for pdf; html and json go to stdout without it)
      --from DAY, --to DAY      The reporting period (YYYY-MM-DD, both included): incidents detected in
                                it, evidence recorded by its end
      --manifest FILE           The project manifest (default: bulwark.config.{ts,yaml,yml,json} when present)
      --targets LIST            Containment targets, e.g. critical=1h,high=4h (defaults: critical 1h,
                                high 4h, medium 24h, low 72h, info 7d)
      --monitor-stale DURATION  A checkpoint older than this means the monitor is stopped (default 1h)
      --evidence-max-age DURATION  Recorded evidence older than this no longer counts (default 365d)
      --fail-on <not-met|partial>  Exit 1 when a control is not met (or, with partial, not fully met)
      --chromium PATH           Chromium for the PDF (default: $BULWARK_CHROMIUM, else ${defaultChromiumPath})
      --db DIR                  PGlite data folder (default: .bulwark/db; DATABASE_URL selects PostgreSQL)
  -h, --help                    Show this help

Options of report sign:
      --key FILE | --key-env VAR  The signer's private key (hex)
      --algorithm ALG           ed25519 (default) or secp256k1
      --signer NAME             The signer's name in the manifest's gate.approvers
      --actor NAME              Who is acting, for the log (default: $BULWARK_ACTOR, else $USER)

Exit codes: 0 written, 1 --fail-on and a control is below it, 2 usage or tool error.
`;

const formats = ['html', 'pdf', 'json'] as const;
type Format = (typeof formats)[number];

export async function reportCommand(argv: string[], io: Io): Promise<number> {
  if (argv[0] === 'sign') return sign(argv.slice(1), io);
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string', short: 'f' },
      out: { type: 'string', short: 'o' },
      manifest: { type: 'string' },
      targets: { type: 'string' },
      'monitor-stale': { type: 'string' },
      'evidence-max-age': { type: 'string' },
      'fail-on': { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      chromium: { type: 'string' },
      db: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout(reportHelp);
    return 0;
  }
  if (positionals.length > 0)
    throw new UsageError(`Unexpected argument '${positionals[0]}'.`, {
      metaMessages: ['Give the output file with --out FILE.'],
    });
  const fromExtension = values.out ? path.extname(values.out).slice(1).toLowerCase().replace(/^htm$/, 'html') : '';
  const format = values.format ?? ((formats as readonly string[]).includes(fromExtension) ? fromExtension : 'html');
  if (!(formats as readonly string[]).includes(format))
    throw new UsageError(`--format ${format} is not a report format.`, { metaMessages: ['Use html, pdf or json.'] });
  if (format === 'pdf' && !values.out)
    throw new UsageError('A PDF report needs --out FILE.', {
      metaMessages: ['Example: bulwark report --format pdf --out conformance.pdf'],
    });
  const failOn = values['fail-on'];
  if (failOn !== undefined && failOn !== 'not-met' && failOn !== 'partial')
    throw new UsageError(`--fail-on ${failOn} is not a threshold.`, { metaMessages: ['Use not-met or partial.'] });
  const days = (ms: number) => ms / 86_400_000;
  const period = parseReportPeriod(values.from, values.to);

  const report = await withStore(io, { db: values.db }, (store) =>
    evaluateConformance(store, {
      cwd: io.cwd,
      manifestFile: values.manifest,
      targets: values.targets === undefined ? undefined : parseContainmentTargets(values.targets),
      monitorStaleAfterMs: values['monitor-stale'] === undefined ? undefined : parseDuration(values['monitor-stale']),
      maxEvidenceAgeDays:
        values['evidence-max-age'] === undefined ? undefined : days(parseDuration(values['evidence-max-age'])),
      period,
    }),
  );

  const out = values.out ? path.resolve(io.cwd, values.out) : undefined;
  const written = await render(report, format as Format, {
    cwd: io.cwd,
    outDir: out ? path.dirname(out) : undefined,
    chromium: values.chromium ?? io.env.BULWARK_CHROMIUM,
  });
  if (out) {
    // Written beside the target and renamed, so a failed run never leaves half a report.
    const partial = `${out}.${process.pid}.partial`;
    try {
      writeFileSync(partial, written.content);
      renameSync(partial, out);
    } catch (error) {
      throw new InputError(`Cannot write the report to ${values.out}.`, {
        cause: error,
        metaMessages: ['Check that the folder exists and is writable.'],
      });
    }
    const s = report.summary.byStatus;
    io.stderr(
      `Wrote ${values.out}${written.pages ? ` (${written.pages} pages)` : ''}: ${s.met} met, ${s.partial} partial, ${s['not-met']} not met, ${s['not-applicable']} not applicable, ${s['no-evidence']} without evidence, of ${report.summary.total} controls.\n`,
    );
  } else io.stdout(typeof written.content === 'string' ? written.content : Buffer.from(written.content).toString());

  const below = report.controls.filter(
    (c) =>
      (failOn === 'not-met' && c.status === 'not-met') ||
      (failOn === 'partial' && (c.status === 'not-met' || c.status === 'partial')),
  );
  if (below.length > 0) {
    io.stderr(
      `${below.length} control${below.length === 1 ? ' is' : 's are'} ${failOn === 'partial' ? 'not fully met' : 'not met'}: ${below.map((c) => c.id).join(', ')}.\n`,
    );
    return 1;
  }
  return 0;
}

async function sign(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      key: { type: 'string' },
      'key-env': { type: 'string' },
      algorithm: { type: 'string' },
      signer: { type: 'string' },
      actor: { type: 'string' },
      manifest: { type: 'string' },
      format: { type: 'string', short: 'f' },
      db: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout(reportHelp);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`Unexpected argument '${positionals[0]}' for report sign.`);
  const period = parseReportPeriod(values.from, values.to);
  if (!period) throw new UsageError('report sign needs the period it signs: --from DAY --to DAY.');
  if (!values.signer)
    throw new UsageError('report sign needs --signer NAME: your name in the manifest’s gate.approvers.');
  const algorithm = values.algorithm ?? 'ed25519';
  if (!isSignatureAlgorithm(algorithm))
    throw new UsageError(`--algorithm ${algorithm} is not supported.`, { metaMessages: ['Use ed25519 or secp256k1.'] });
  const key = readSigningKey({ algorithm, file: values.key, envVar: values['key-env'], cwd: io.cwd, env: io.env });
  const loaded = await loadManifest({ cwd: io.cwd, file: values.manifest });
  const approver = readGateConfig(loaded).approvers.find((a) => a.name === values.signer);
  if (!approver || approver.key.keyId !== key.keyId)
    throw new UsageError(
      approver
        ? `The key given is not ${values.signer}'s key in the manifest's gate.approvers.`
        : `${values.signer} is not in the manifest's gate.approvers.`,
      {
        metaMessages: ['Sign with the key registered under your name (`bulwark approve pubkey --key FILE` prints it).'],
      },
    );
  const { entry, statement, signature } = await withStore(io, { db: values.db }, (store) =>
    signOffReport(store, {
      project: loaded.manifest.project.name,
      period,
      key,
      signer: values.signer!,
      actor: resolveActor(values.actor ?? values.signer, io.env),
    }),
  );
  if (values.format === 'json')
    io.stdout(
      `${JSON.stringify({ statement, signer: values.signer, keyId: key.keyId, signature, log: { seq: entry.seq, hash: entry.hash } }, null, 2)}\n`,
    );
  else
    io.stdout(
      `Signed off the report of ${statement.project} for ${period.from} to ${period.to} as ${values.signer}, at log head ${statement.logHead.seq}. Logged as entry ${entry.seq}.\n`,
    );
  return 0;
}

async function render(
  report: ConformanceReport,
  format: Format,
  options: { cwd: string; outDir: string | undefined; chromium: string | undefined },
): Promise<{ content: string | Uint8Array; pages?: number }> {
  if (format === 'json') return { content: `${JSON.stringify(report, null, 2)}\n` };
  const html = renderConformanceHtml(report, { cwd: options.cwd, outDir: options.outDir });
  if (format === 'html') return { content: html };
  const { pdf, pages } = await renderPdf(html, {
    executablePath: options.chromium || defaultChromiumPath,
    footer: `Bulwark conformance report${report.project.name ? ` — ${report.project.name}` : ''}, ${report.generatedAt.slice(0, 10)}`,
  });
  return { content: pdf, pages };
}
