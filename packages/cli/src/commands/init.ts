import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { InputError, UsageError } from '@bulwark/core';
import { manifestFileNames, validateManifest } from '@bulwark/governance';
import { createApiToken } from '@bulwark/server';
import { listApiTokens } from '@bulwark/store';
import type { Io } from '../main.ts';
import { withStore } from '../store.ts';
import { outputFormat } from './wallet/shared.ts';

export const initHelp = `Usage: bulwark init [--name NAME] [options]

Prepares the store (migrations), writes a starter project manifest (bulwark.config.json: the
project's name and an empty contract list, valid as it stands; never when a bulwark.config.ts,
.yaml, .yml or .json is already in the folder) and creates the first admin API token for
\`bulwark serve\`. The token is printed once and never again: only its sha256 is stored. Its
creation is logged with NAME as the token's owner; every write made with the token is attributed
to NAME. Refused, with nothing written, when the store already has API tokens.

Options:
      --name NAME           Owner of the admin token, the audit-log actor (default: admin)
      --project NAME        The project's name in the starter manifest (default: the folder's name)
      --no-config           Do not write the starter manifest
  -f, --format <text|json>  Output format; json prints {"name", "role", "token", "config"}, config
                            being the manifest written or null (default: text)
      --db DIR              PGlite data folder (default: .bulwark/db; DATABASE_URL selects PostgreSQL)
  -h, --help                Show this help

Exit codes: 0 token created, 2 usage or tool error (incl. tokens already present).
`;

export async function initCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      project: { type: 'string' },
      'no-config': { type: 'boolean' },
      format: { type: 'string', short: 'f' },
      db: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout(initHelp);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`Unexpected argument '${positionals[0]}' for init.`);
  const format = outputFormat(values.format);
  const name = values.name?.trim() || 'admin';
  const { token, record, config } = await withStore(io, { db: values.db }, async (store) => {
    const existing = await listApiTokens(store);
    if (existing.length > 0)
      throw new InputError(`This store already has API tokens (${existing.map((t) => t.name).join(', ')}).`, {
        metaMessages: ['`bulwark init` creates only the first admin token; it never mints another one.'],
        docsPath: 'server.md#tokens',
      });
    const config = values['no-config'] ? null : writeStarterManifest(io.cwd, values.project);
    return { ...(await createApiToken(store, { name, role: 'admin', actor: 'bulwark init' })), config };
  });
  if (format === 'json') io.stdout(`${JSON.stringify({ name: record.name, role: record.role, token, config })}\n`);
  else
    io.stdout(
      `${config ? `Wrote ${config}: a starter project manifest; add your contracts to it (docs/governance/manifest.md).\n` : ''}Admin token for ${record.name} (shown once; keep it in a secret store):\n${token}\n\nStart the API with \`bulwark serve\` and send it as: Authorization: Bearer <token>\n`,
    );
  return 0;
}

/**
 * Writes bulwark.config.json, the smallest valid manifest, unless the folder has a manifest
 * already; returns its name, or null when one was there. The file is created exclusively, so
 * an existing file is never overwritten, even one that appears meanwhile.
 */
function writeStarterManifest(cwd: string, project: string | undefined): string | null {
  if (manifestFileNames.some((name) => existsSync(path.join(cwd, name)))) return null;
  const file = 'bulwark.config.json';
  const manifest = {
    version: 1,
    project: { name: project?.trim() || path.basename(path.resolve(cwd)) },
    contracts: [],
  };
  validateManifest(manifest, { file });
  try {
    writeFileSync(path.join(cwd, file), `${JSON.stringify(manifest, null, 2)}\n`, { flag: 'wx' });
  } catch (error) {
    throw new InputError(`Cannot write ${file} in ${cwd}.`, {
      cause: error,
      metaMessages: ['Check that the folder is writable, or run with --no-config.'],
    });
  }
  return file;
}
