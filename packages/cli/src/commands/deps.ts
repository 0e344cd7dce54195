import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '@bulwark/core';
import {
  type DependencyEcosystem,
  type DependencyInventory,
  type DependencyStatusEntry,
  dependencyEcosystems,
  dependencyKey,
  dependencyStatus,
  loadManifest,
  manifestFileNames,
  parseNameAtVersion,
  readDependencyInventory,
  readGateConfig,
  reviewDependencies,
} from '@bulwark/governance';
import { detectProject } from '@bulwark/solidity';
import type { Io } from '../main.ts';
import { withStore } from '../store.ts';

export const depsHelp = `Usage: bulwark deps [status] [options]           list dependencies and their review state
       bulwark deps review NAME@VERSION --reviewer NAME [--integrity SRI] [--notes TEXT] [--reject]
       bulwark deps review --all-new --reviewer NAME [--notes TEXT]

The inventory: the npm lockfile's packages (name, version, integrity), the Foundry libraries in
lib/ (submodule commit and content hash), and what the contracts import from outside the project.
A review holds for one exact version and integrity: when either changes, the dependency shows as
changed until it is reviewed again.

States: reviewed, rejected, changed (reviewed at another version or integrity), unreviewed
(already there at the last review round), new (added since).

Options:
      --reviewer <name>      Who reviewed (required to review)
      --integrity <sri>      The integrity reviewed; must match the lockfile's (default: the lockfile's)
      --ecosystem <name>     npm or foundry, when a name is in both
      --notes <text>         What was checked (tests run, diff read, advisories looked up)
      --reject               Record the dependency as rejected (the gate then fails on it)
      --all-new              Review every new, changed and unreviewed dependency at once
      --all                  status: list reviewed dependencies too
      --manifest <file>      The manifest (default: bulwark.config.ts|yaml|json here, when present)
      --db <dir>             PGlite folder (default .bulwark/db; DATABASE_URL wins)
  -f, --format <text|json>   Output format (default: text)
  -h, --help                 Show this help

Exit codes: status: 0 every dependency reviewed, 1 some are not; review: 0 recorded;
2 usage or tool error.
`;

export async function depsCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      reviewer: { type: 'string' },
      integrity: { type: 'string' },
      ecosystem: { type: 'string' },
      notes: { type: 'string' },
      reject: { type: 'boolean' },
      'all-new': { type: 'boolean' },
      all: { type: 'boolean' },
      manifest: { type: 'string' },
      db: { type: 'string' },
      format: { type: 'string', short: 'f' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout(depsHelp);
    return 0;
  }
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json')
    throw new UsageError(`--format ${format} is not a format.`, { metaMessages: ['Use text or json.'] });
  const ecosystem = values.ecosystem;
  if (ecosystem !== undefined && !(dependencyEcosystems as readonly string[]).includes(ecosystem))
    throw new UsageError(`--ecosystem ${ecosystem} is not an ecosystem.`, {
      metaMessages: [`Use ${dependencyEcosystems.join(', ')}.`],
    });
  const [action = 'status', ...names] = positionals;
  if (action !== 'status' && action !== 'review')
    throw new UsageError(`Unknown deps action '${action}'.`, { metaMessages: ['Use status or review.'] });
  if (action === 'status' && names.length > 0) throw new UsageError(`Unexpected argument '${names.join(' ')}'.`);
  const print = (json: unknown, text: string) =>
    io.stdout(format === 'json' ? `${JSON.stringify(json, null, 2)}\n` : text);

  const { inventory, scope } = await readInventory(io, values.manifest);
  return withStore(io, { db: values.db }, async (store) => {
    if (action === 'review') {
      if (!values.reviewer) throw new UsageError('A review needs --reviewer NAME.');
      if (values['all-new'] && names.length > 0) throw new UsageError('Give NAME@VERSION or --all-new, not both.');
      if (!values['all-new'] && names.length === 0)
        throw new UsageError('Name what you reviewed (NAME@VERSION), or pass --all-new.');
      if (values.integrity && names.length !== 1)
        throw new UsageError('--integrity applies to one dependency: review them one at a time.');
      const select = values['all-new']
        ? ('pending' as const)
        : names.map((text) => {
            const { name, version } = parseNameAtVersion(text);
            return {
              name,
              version,
              integrity: values.integrity,
              ecosystem: ecosystem as DependencyEcosystem | undefined,
            };
          });
      const { reviews } = await reviewDependencies(store, {
        inventory,
        select,
        reviewer: values.reviewer,
        notes: values.notes,
        verdict: values.reject ? 'rejected' : 'approved',
      });
      const verb = values.reject ? 'rejected' : 'reviewed';
      print(
        {
          reviews: reviews.map((r) => ({
            ecosystem: r.ecosystem,
            name: r.name,
            version: r.version,
            integrity: r.integrity,
            reviewer: r.reviewer,
            verdict: r.verdict,
            notes: r.notes,
            reviewedAt: r.reviewedAt.toISOString(),
          })),
        },
        reviews.length === 0
          ? 'Nothing to review: every dependency is reviewed at its current version.\n'
          : `${values.reviewer} ${verb} ${reviews.length} dependenc${reviews.length === 1 ? 'y' : 'ies'}:\n${reviews
              .map(
                (r) =>
                  `  ${dependencyKey(r as { ecosystem: DependencyEcosystem; name: string; version: string })} ${r.integrity}`,
              )
              .join('\n')}\n`,
      );
      return 0;
    }

    const status = await dependencyStatus(store, inventory);
    const pending = status.entries.filter((e) => e.state !== 'reviewed');
    print(
      {
        root: inventory.root,
        lockfile: inventory.lockfile,
        lockDigest: inventory.lockDigest,
        scope,
        counts: status.counts,
        dependencies: status.entries,
        unresolvedImports: inventory.unresolvedImports,
      },
      formatStatus(status.entries, status.counts, inventory, values.all === true),
    );
    return pending.length > 0 ? 1 : 0;
  });
}

/** The inventory of the manifest's project, or of the folder's Solidity project when there is no manifest. */
async function readInventory(
  io: Io,
  manifestFile: string | undefined,
): Promise<{ inventory: DependencyInventory; scope: string }> {
  const hasManifest =
    manifestFile !== undefined || manifestFileNames.some((name) => existsSync(path.join(io.cwd, name)));
  if (hasManifest) {
    const loaded = await loadManifest({ cwd: io.cwd, file: manifestFile });
    const sources = loaded.manifest.contracts.flatMap((c) => c.sources);
    return {
      inventory: readDependencyInventory({ root: loaded.dir, sources }),
      scope: readGateConfig(loaded).dependencyScope,
    };
  }
  let sources: string[] = [];
  try {
    sources = detectProject([io.cwd]).sources;
  } catch {
    // No Solidity project here: the lockfile and lib/ still make an inventory.
  }
  return { inventory: readDependencyInventory({ root: io.cwd, sources }), scope: 'all' };
}

function formatStatus(
  entries: DependencyStatusEntry[],
  counts: Record<string, number>,
  inventory: DependencyInventory,
  all: boolean,
): string {
  const shown = all ? entries : entries.filter((e) => e.state !== 'reviewed');
  const lines: string[] = [];
  const summary = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${n} ${state}`)
    .join(', ');
  const from = inventory.lockfile ? `${inventory.lockfile}, ` : '';
  lines.push(
    `${entries.length} dependencies (${from}lock digest ${inventory.lockDigest.slice(0, 12)}…): ${summary || 'none'}.`,
  );
  if (shown.length > 0) {
    const rows = shown.map((e) => [
      e.state,
      e.ecosystem,
      e.name,
      e.version,
      e.imported.length > 0 ? `${e.imported.length} file(s)` : '-',
      note(e),
    ]);
    const header = ['STATE', 'ECOSYSTEM', 'NAME', 'VERSION', 'IMPORTED', 'NOTE'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    for (const row of [header, ...rows])
      lines.push(
        row
          .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
          .join('  ')
          .trimEnd(),
      );
  }
  for (const u of inventory.unresolvedImports)
    lines.push(`warning: import "${u.import}" in ${u.from} resolves nowhere.`);
  const pending = entries.length - (counts.reviewed ?? 0);
  if (pending > 0) lines.push(`Review them: bulwark deps review NAME@VERSION --reviewer NAME (or --all-new).`);
  return `${lines.join('\n')}\n`;
}

function note(e: DependencyStatusEntry): string {
  if (e.state === 'changed' && e.review) {
    const what = e.changes?.includes('version')
      ? `reviewed at ${e.review.version}`
      : `integrity differs from the review (${e.review.integrity.slice(0, 20)}…)`;
    return `${what}, by ${e.review.reviewer}`;
  }
  if ((e.state === 'reviewed' || e.state === 'rejected') && e.review)
    return `by ${e.review.reviewer} ${e.review.reviewedAt.slice(0, 10)}`;
  return '';
}
