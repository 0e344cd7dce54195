import path from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '@bulwark/core';
import { createServer } from '@bulwark/server';
import type { Io } from '../main.ts';
import { withStore } from '../store.ts';
import { outputFormat } from './wallet/shared.ts';

export const serveHelp = `Usage: bulwark serve [--port N] [--host H] [options]

Runs the REST API (/api/v1, bearer tokens from \`bulwark init\`), /healthz, /metrics
(Prometheus) and /openapi.json on the store, until interrupted (SIGINT or SIGTERM). Prints the
address once it is listening. The monitor and the dashboard are not part of it yet.

Options:
      --port N              TCP port; 0 picks a free one (default: 8080)
      --host H              Address to listen on (default: 127.0.0.1; the API has no TLS: put a
                            TLS proxy in front before listening beyond this machine)
      --custody FILE        Custody file (hot/cold wallets per chain, as for \`bulwark wallet custody\`)
                            read by /api/v1/wallet/custody
  -f, --format <text|json>  Output format; json prints {"url"} once listening (default: text)
      --db DIR              PGlite data folder (default: .bulwark/db; DATABASE_URL selects PostgreSQL)
  -h, --help                Show this help

Exit codes: 0 stopped by a signal, 2 usage or tool error (incl. a port in use).
`;

const stopSignals = ['SIGINT', 'SIGTERM'] as const;

/** Resolves on the first SIGINT or SIGTERM. */
const interrupted = () =>
  new Promise<void>((resolve) => {
    const stop = () => {
      for (const signal of stopSignals) process.off(signal, stop);
      resolve();
    };
    for (const signal of stopSignals) process.once(signal, stop);
  });

/** `until` stops the server when it resolves (tests); otherwise a signal does. */
export async function serveCommand(argv: string[], io: Io, until: () => Promise<void> = interrupted): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      custody: { type: 'string' },
      format: { type: 'string', short: 'f' },
      db: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout(serveHelp);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`Unexpected argument '${positionals[0]}' for serve.`);
  const format = outputFormat(values.format);
  const port = Number(values.port ?? 8080);
  if (!/^\d{1,5}$/.test(values.port ?? '8080') || port > 65535)
    throw new UsageError(`--port ${values.port} is not a TCP port.`, { metaMessages: ['Use 0 to 65535.'] });
  const host = values.host ?? '127.0.0.1';
  await withStore(io, { db: values.db }, async (store) => {
    const server = await createServer({
      store,
      cwd: io.cwd,
      custodyFile: values.custody && path.resolve(io.cwd, values.custody),
      logError: (line) => io.stderr(`error: ${line}\n`),
    });
    try {
      const address = await server.listen({ host, port });
      const stop = until();
      io.stdout(format === 'json' ? `${JSON.stringify({ url: address })}\n` : `Listening on ${address}\n`);
      await stop;
    } finally {
      await server.close();
    }
  });
  return 0;
}
