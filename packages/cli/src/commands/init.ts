import { parseArgs } from 'node:util';
import { InputError, UsageError } from '@bulwark/core';
import { createApiToken } from '@bulwark/server';
import { listApiTokens } from '@bulwark/store';
import type { Io } from '../main.ts';
import { withStore } from '../store.ts';
import { outputFormat } from './wallet/shared.ts';

export const initHelp = `Usage: bulwark init [--name NAME] [options]

Prepares the store (migrations) and creates the first admin API token for \`bulwark serve\`. The
token is printed once and never again: only its sha256 is stored. Its creation is logged with
NAME as the token's owner; every write made with the token is attributed to NAME.
Refused when the store already has API tokens.

Options:
      --name NAME           Owner of the admin token, the audit-log actor (default: admin)
  -f, --format <text|json>  Output format; json prints {"name", "role", "token"} (default: text)
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
  const { token, record } = await withStore(io, { db: values.db }, async (store) => {
    const existing = await listApiTokens(store);
    if (existing.length > 0)
      throw new InputError(`This store already has API tokens (${existing.map((t) => t.name).join(', ')}).`, {
        metaMessages: ['`bulwark init` creates only the first admin token; it never mints another one.'],
        docsPath: 'server.md#tokens',
      });
    return createApiToken(store, { name, role: 'admin', actor: 'bulwark init' });
  });
  if (format === 'json') io.stdout(`${JSON.stringify({ name: record.name, role: record.role, token })}\n`);
  else
    io.stdout(
      `Admin token for ${record.name} (shown once; keep it in a secret store):\n${token}\n\nStart the API with \`bulwark serve\` and send it as: Authorization: Bearer <token>\n`,
    );
  return 0;
}
