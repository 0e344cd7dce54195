import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { scrub } from '@bulwark/chain';
import { createLogger, type Logger, UsageError } from '@bulwark/core';
import {
  allRules,
  createMonitorsFromConfig,
  loadMonitorConfig,
  type Monitor,
  type MonitorConfig,
} from '@bulwark/monitor';
import { createMonitorBridge, createServer, EventHub, type MonitorBridge } from '@bulwark/server';
import { sendingClient, startWalletSender, type WalletSender } from '@bulwark/wallet';
import type { Io } from '../main.ts';
import { withStore } from '../store.ts';
import { passesPreflight, rpcSecrets } from './monitor.ts';
import { serveWallet, serveWalletHelp, serveWalletOptions } from './serveWallet.ts';
import { outputFormat } from './wallet/shared.ts';

export const serveHelp = `Usage: bulwark serve [--port N] [--host H] [--config FILE] [options]

Runs the REST API (/api/v1, bearer tokens from \`bulwark init\`), live events (/api/v1/events,
server-sent), /healthz, /metrics (Prometheus) and /openapi.json on the store, until interrupted
(SIGINT or SIGTERM). Prints the address once it is listening. With --config, the monitor runs in
the same process on the same store (the checks of \`bulwark monitor\` first: a problem refuses the
start); /healthz answers 503 until every chain is followed, then 200. Docs: docs/server.md
The web dashboard is served on / (built with Vite on the first start): docs/dashboard.md.

Options:
      --port N              TCP port; 0 picks a free one (default: 8080)
      --host H              Address to listen on (default: 127.0.0.1; the API has no TLS: put a
                            TLS proxy in front before listening beyond this machine)
  -c, --config FILE         Monitor config (as for \`bulwark monitor\`): run the monitor too
      --dry-run             With --config: decide and record pauses, send nothing
      --custody FILE        Custody file (hot/cold wallets per chain, as for \`bulwark wallet custody\`)
                            read by /api/v1/wallet/custody
  -f, --format <text|json>  Output format; json prints {"url"} once listening (default: text)
      --db DIR              PGlite data folder (default: the config's store.dataDir, else .bulwark/db;
                            DATABASE_URL, or the variable named by store.urlEnv, selects PostgreSQL)
${serveWalletHelp}      --rate-limit-ip N     Requests a minute from one IP address (default: 1200)
      --rate-limit-token N  Requests a minute with one token (default: 600); on PostgreSQL both are
                            counted in the store, so every replica on it shares them
  -h, --help                Show this help

The first SIGINT or SIGTERM stops the monitor after the block in hand (baselines and cursor saved)
and the server; a second exits at once. Logs go to stderr.

Exit codes: 0 stopped by a signal, 2 usage or tool error (incl. a port in use, a config that does
not pass its checks, or a monitor that stopped on an error).
`;

const stopSignals = ['SIGINT', 'SIGTERM'] as const;

/** Resolves on the first SIGINT or SIGTERM; a second one exits at once. */
export const interrupted = () =>
  new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      for (const other of stopSignals) process.off(other, stop);
      process.once(signal, () => process.exit(signal === 'SIGINT' ? 130 : 143));
      resolve();
    };
    for (const signal of stopSignals) process.once(signal, stop);
  });

/** `--port`: 0 to 65535, default 8080. */
export function parsePort(value: string | undefined): number {
  const port = Number(value ?? 8080);
  if (!/^\d{1,5}$/.test(value ?? '8080') || port > 65535)
    throw new UsageError(`--port ${value} is not a TCP port.`, { metaMessages: ['Use 0 to 65535.'] });
  return port;
}

/** `--rate-limit-*`: a positive whole number of requests a minute; undefined keeps the default. */
function parseRequestsPerMinute(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d{0,8}$/.test(value))
    throw new UsageError(`${flag} ${value} is not a number of requests.`, {
      metaMessages: ['Give a whole number of requests a minute, 1 or more.'],
    });
  return Number(value);
}

/** `until` stops the server when it resolves (tests); otherwise a signal does. */
export async function serveCommand(argv: string[], io: Io, until: () => Promise<void> = interrupted): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      config: { type: 'string', short: 'c' },
      'dry-run': { type: 'boolean' },
      custody: { type: 'string' },
      format: { type: 'string', short: 'f' },
      db: { type: 'string' },
      ...serveWalletOptions,
      'rate-limit-ip': { type: 'string' },
      'rate-limit-token': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout(serveHelp);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`Unexpected argument '${positionals[0]}' for serve.`);
  const format = outputFormat(values.format);
  const port = parsePort(values.port);
  if (values['dry-run'] && !values.config)
    throw new UsageError('--dry-run is for the monitor: give --config FILE too.');
  const host = values.host ?? '127.0.0.1';
  const rateLimits = {
    perIp: parseRequestsPerMinute('--rate-limit-ip', values['rate-limit-ip']),
    perToken: parseRequestsPerMinute('--rate-limit-token', values['rate-limit-token']),
  };
  const wallet = await serveWallet(values, io.env, io.cwd);
  let config: MonitorConfig | undefined;
  let logger: Logger | undefined;
  if (values.config) {
    config = loadMonitorConfig(path.resolve(io.cwd, values.config), { rules: allRules, env: io.env });
    if (values['dry-run']) config.dryRun = true;
    logger = createLogger({ write: io.stderr, format: 'text', secrets: rpcSecrets(config, io.env) });
    // A refused start leaves no trace, not even a new store folder.
    if (!(await passesPreflight(config, values.config, io.env, logger))) return 2;
  }
  const stop = until();
  return withStore(io, { db: values.db ?? config?.store?.dataDir, urlEnv: config?.store?.urlEnv }, async (store) => {
    const hub = new EventHub();
    const bridge = config && createMonitorBridge({ config, store, rules: allRules, hub });
    const server = await createServer({
      store,
      cwd: io.cwd,
      hub,
      monitor: bridge?.served,
      responder: bridge?.responder,
      custodyFile: values.custody && path.resolve(io.cwd, values.custody),
      rateLimits,
      logError: (line) => io.stderr(`error: ${line}\n`),
    });
    let monitors: Monitor[] = [];
    let sender: WalletSender | undefined;
    try {
      const address = await server.listen({ host, port });
      if (wallet) {
        const client = sendingClient(wallet.rpcUrl);
        sender = startWalletSender(store, {
          ...wallet,
          client,
          chainId: await client.getChainId(),
          owner: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
          log: (line) => io.stderr(`${line}\n`),
        });
      }
      io.stdout(format === 'json' ? `${JSON.stringify({ url: address })}\n` : `Listening on ${address}\n`);
      if (!config || !bridge || !logger) {
        await stop;
        return 0;
      }
      const log = (line: string) => logger.info(line);
      monitors = await createMonitorsFromConfig({
        config,
        store,
        rules: allRules,
        env: io.env,
        log,
        logger,
        ...bridge.hooks,
      });
      bridge.attach(monitors);
      const outcome = await Promise.race([
        stop.then(() => 'stopped' as const),
        runMonitors(monitors, bridge, stop, log, (text) => scrub(text, rpcSecrets(config, io.env))),
      ]);
      if (outcome === 'failed') return 2;
      log('Stopping the monitor after the block in hand…');
      await Promise.allSettled(monitors.map((monitor) => monitor.stop()));
      log('Stopped: baselines and cursor saved.');
      return 0;
    } finally {
      await sender?.stop();
      bridge?.close();
      await server.close();
    }
  });
}

/**
 * Learns, then follows every chain until `stop` (resolves `'stopped'`) or until a chain cannot
 * record a block (`'failed'`: every chain stopped cleanly, /healthz says why; a restart resumes).
 */
async function runMonitors(
  monitors: readonly Monitor[],
  bridge: MonitorBridge,
  stop: Promise<void>,
  log: (line: string) => void,
  /** Strips RPC keys from the error /healthz shows (the log scrubs its own lines). */
  redact: (text: string) => string,
): Promise<'stopped' | 'failed'> {
  const learning = new AbortController();
  void stop.then(() => learning.abort());
  try {
    for (const monitor of monitors) if (!learning.signal.aborted) await monitor.learn({ signal: learning.signal });
    if (learning.signal.aborted) return 'stopped';
    log(`Watching on ${monitors.length} chain(s); /healthz answers 200 once each is followed.`);
    void Promise.all(monitors.map((monitor) => monitor.whenFollowing)).then(() =>
      log(`Ready: following ${monitors.length} chain(s) (${monitors.map((m) => m.status().chainId).join(', ')}).`),
    );
    await Promise.all(monitors.map((monitor) => monitor.run()));
    return 'stopped';
  } catch (error) {
    if (learning.signal.aborted) return 'stopped';
    const reason = (error as Error).message.split('\n')[0] ?? 'unknown error';
    log(`The monitor stopped on an error: ${reason}`);
    bridge.fail(redact(reason));
    await Promise.allSettled(monitors.map((monitor) => monitor.stop()));
    return 'failed';
  }
}
