import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { closest, UsageError } from '@bulwark/core';
import {
  buildDocsSite,
  checkDocs,
  type DocsReport,
  documentationItems,
  loadManifest,
  resolveActor,
  syncManifest,
} from '@bulwark/governance';
import type { Io } from '../main.ts';
import { withStore } from '../store.ts';

export const docsHelp = `Usage: bulwark docs <check|build|sync> [options]

Each smart contract's documentation, from the project manifest (bulwark.config.ts|yaml|json):
the advisory's list (technical specification, deployment status, procedures, known issues,
history, contacts) and EthTrust's (intended behaviour, access control, upgradeability, external
dependencies).

  bulwark docs check [--format text|json]
      List what is missing and what is stale (a referenced file that does not exist, a document
      older than the sources it documents, a review date in the past, a deployed contract with
      no address). Exit 1 when any contract's documentation is incomplete.
  bulwark docs build --out DIR [--no-store]
      Write a static HTML site: an index and one page per contract with its documentation,
      deployments, audits (from the store), known issues and contacts.
  bulwark docs sync
      Record the manifest's contracts and deployments in the store's registry (logged).

Options:
      --manifest FILE       The manifest (default: bulwark.config.ts, .yaml, .yml or .json here)
  -f, --format <text|json>  Output format of check and sync (default: text)
  -o, --out DIR             Where build writes the site
      --no-store            build: leave out audits and verified deployments (no database)
      --actor NAME          Who is acting, for the log (default: $BULWARK_ACTOR, else $USER)
      --db DIR              PGlite data folder (default: .bulwark/db; DATABASE_URL selects PostgreSQL)
  -h, --help                Show this help

Exit codes: 0 ok, 1 documentation incomplete (check), 2 usage or tool error.
Docs: docs/governance/docs.md, docs/governance/manifest.md
`;

const options = {
  manifest: { type: 'string' },
  format: { type: 'string', short: 'f' },
  out: { type: 'string', short: 'o' },
  'no-store': { type: 'boolean' },
  actor: { type: 'string' },
  db: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const subcommands = ['check', 'build', 'sync'] as const;

export async function docsCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h' || sub === 'help') {
    (sub ? io.stdout : io.stderr)(docsHelp);
    return sub ? 0 : 2;
  }
  if (!(subcommands as readonly string[]).includes(sub)) {
    const guess = closest(sub, [...subcommands]);
    throw new UsageError(`'${sub}' is not a docs subcommand.`, {
      metaMessages: [guess ? `Did you mean \`bulwark docs ${guess}\`?` : `Use one of: ${subcommands.join(', ')}.`],
      docsPath: 'governance/docs.md',
    });
  }
  const { values, positionals } = parseArgs({ args: rest, options, allowPositionals: true });
  if (values.help) {
    io.stdout(docsHelp);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`Unexpected argument '${positionals[0]}'. Run with --help.`);
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json')
    throw new UsageError(`--format ${format} is not a format here.`, { metaMessages: ['Use text or json.'] });
  const loaded = await loadManifest({ cwd: io.cwd, file: values.manifest });

  if (sub === 'check') {
    const report = checkDocs(loaded.manifest, { cwd: loaded.dir });
    if (format === 'json')
      io.stdout(`${JSON.stringify({ manifest: { path: loaded.path, sha256: loaded.sha256 }, ...report }, null, 2)}\n`);
    else io.stdout(formatDocsReport(report));
    return report.complete ? 0 : 1;
  }

  if (sub === 'build') {
    if (!values.out) throw new UsageError('docs build needs --out DIR.', { metaMessages: ['Example: --out site'] });
    const outDir = resolve(io.cwd, values.out);
    const build = (store: Parameters<typeof buildDocsSite>[0]) => buildDocsSite(store, loaded, { outDir });
    const { files } = values['no-store'] ? await build(undefined) : await withStore(io, { db: values.db }, build);
    io.stdout(`Wrote ${files.length} pages to ${values.out} (open ${values.out}/index.html).\n`);
    return 0;
  }

  // sync
  const actor = resolveActor(values.actor, io.env);
  const result = await withStore(io, { db: values.db }, (store) =>
    syncManifest(store, loaded.manifest, { actor, source: { path: loaded.path, sha256: loaded.sha256 } }),
  );
  if (format === 'json') {
    io.stdout(
      `${JSON.stringify({ contracts: result.contracts, deployments: result.deployments, logSeq: result.logEntry?.seq ?? null }, null, 2)}\n`,
    );
    return 0;
  }
  const lines = [
    ...result.contracts.map((c) => `  contract    ${c.name.padEnd(24)} ${c.change}`),
    ...result.deployments.map(
      (d) => `  deployment  ${`${d.contractName} chain ${d.network}`.padEnd(24)} ${d.address} ${d.change}`,
    ),
  ];
  io.stdout(
    `${lines.join('\n')}${lines.length > 0 ? '\n' : ''}${
      result.logEntry
        ? `Recorded in the store (log entry ${result.logEntry.seq}).`
        : 'The store was already up to date.'
    }\n`,
  );
  return 0;
}

const labels = new Map(documentationItems.map((item) => [item.id, item]));

/** The text table of `bulwark docs check`. */
export function formatDocsReport(report: DocsReport): string {
  const out: string[] = [];
  const width = Math.max(8, ...report.contracts.map((c) => c.name.length));
  for (const contract of report.contracts) {
    const state = contract.complete
      ? 'complete'
      : [
          contract.missing.length > 0 ? `${contract.missing.length} missing` : '',
          contract.stale.length > 0 ? `${contract.stale.length} stale` : '',
        ]
          .filter(Boolean)
          .join(', ');
    out.push(`${contract.name.padEnd(width)}  ${state}`);
    for (const id of contract.missing) {
      const item = labels.get(id);
      out.push(`  missing  ${id.padEnd(28)} ${item ? `${item.label} [${item.source}]` : ''}`.trimEnd());
    }
    for (const stale of contract.stale) out.push(`  stale    ${stale}`);
  }
  const incomplete = report.contracts.filter((c) => !c.complete).length;
  out.push(
    report.contracts.length === 0
      ? 'The manifest lists no contracts.'
      : report.complete
        ? `Documentation complete for ${report.contracts.length} contract(s).`
        : `${incomplete} of ${report.contracts.length} contract(s) incomplete. See docs/governance/docs.md for each item.`,
  );
  return `${out.join('\n')}\n`;
}
