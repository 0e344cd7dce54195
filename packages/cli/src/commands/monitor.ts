import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { endpointName, scrub, secretsOf } from '@bulwark/chain';
import { clusterSettings, parseRoles } from '@bulwark/cluster';
import { createLogger, type LogFormat, type Logger, UsageError } from '@bulwark/core';
import {
  allRules,
  createMonitorsFromConfig,
  formatPreflight,
  loadMonitorConfig,
  type Monitor,
  type MonitorConfig,
  runPreflight,
} from '@bulwark/monitor';
import { openStore, type Store } from '@bulwark/store';
import type { Io } from '../main.ts';
import { metricsOption, printClusterStatus, runMonitorRoles } from './monitorCluster.ts';

const help = `Usage: bulwark monitor --config FILE [--dry-run] [--check] [--db DIR] [--ready-file PATH]
                       [--log-format text|json] [--role ingest|detect|respond|all]
                       [--metrics-port PORT [--metrics-host HOST]] [--status [--format text|json]]

Follows the configured chains (WebSocket heads, polling fallback, mempool when enabled), learns
each watched contract's baseline by backfill when the store has none, evaluates every transaction
against the rules, sends alerts to the configured sinks, groups them into incidents, and pauses
contracts that opted in (breaker.autoPause) when the composite score crosses the line.

  -c, --config FILE   Monitor config (JSON; schema: packages/monitor/monitor.config.schema.json)
      --dry-run       Decide and record pauses, send nothing (overrides the config)
      --check         Prove the config, then exit: the schema and the variables it names, every ABI
                      read, every endpoint reached (each failing one named, key redacted) on the
                      configured chain, code at each address, and each breaker's responder able to
                      pause (pause() simulated from the guardian key, or the Safe's owners read).
                      Exit 0 when nothing is wrong (warnings printed), 2 otherwise. The monitor runs
                      the same checks at start and refuses to start on an error.
      --db DIR        PGlite data folder (default: the config's store.dataDir, else .bulwark/db;
                      DATABASE_URL, or the variable named by store.urlEnv, selects PostgreSQL)
      --ready-file PATH
                      Written once every chain is followed (after the checks, learning and the
                      sync's start): {"pid", "readyAt", "chains"}. Removed at start and at exit.
                      The log says the same ("Ready: following …").
      --log-format text|json
                      Log lines on stderr: text (default: timestamp, level, message) or one JSON
                      object a line ({"time", "level", "msg", …}) for log shippers
      --role ROLE     Run the stages as separate processes over NATS JetStream (the config's
                      cluster section) with PostgreSQL (DATABASE_URL) shared by all: ingest (one
                      leader per chain publishes each block once), detect (partitioned workers),
                      respond (alerts and pauses, each once), all, or a comma-separated list.
                      Start as many of each as you like. Docs: docs/monitor/cluster.md
      --metrics-port PORT
                      With --role: serve GET /metrics (Prometheus text, bulwark_cluster_*) on PORT
                      (0 picks a free one, logged): the --status figures and this process's counts
      --metrics-host HOST
                      Address /metrics listens on (default 127.0.0.1; 0.0.0.0 for all)
      --status        Print each chain's head, lag, ingest leader, detect partitions and respond
                      consumer with their pending counts, then exit (needs the cluster section)
      --format text|json
                      Output of --status (default text)
  -h, --help

Every block is evaluated once, in order: after a restart the monitor resumes after the last block
it recorded (its cursor, kept in the store with the block's alerts), before following the head.
Ctrl-C (SIGINT) or SIGTERM finishes the block in hand, saves the baselines and exits 0; a second
signal exits at once. Docs: docs/monitor/config.md
`;

export async function monitorCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string', short: 'c' },
      'dry-run': { type: 'boolean' },
      check: { type: 'boolean' },
      db: { type: 'string' },
      'ready-file': { type: 'string' },
      'log-format': { type: 'string' },
      role: { type: 'string' },
      'metrics-port': { type: 'string' },
      'metrics-host': { type: 'string' },
      status: { type: 'boolean' },
      format: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout(help);
    return 0;
  }
  if (!values.config) {
    io.stderr(`error: --config FILE is required.\n\n${help}`);
    return 2;
  }
  const logFormat = values['log-format'] ?? 'text';
  if (logFormat !== 'text' && logFormat !== 'json')
    throw new UsageError(`--log-format ${logFormat}: choose text or json.`, { docsPath: 'cli.md#monitor' });
  const readyFile = values['ready-file'] === undefined ? undefined : path.resolve(io.cwd, values['ready-file']);
  // A ready file left by an earlier run must not announce this one.
  if (readyFile) rmSync(readyFile, { force: true });
  const config = loadMonitorConfig(path.resolve(io.cwd, values.config), { rules: allRules, env: io.env });
  if (values['dry-run']) config.dryRun = true;
  const roles = values.role === undefined ? undefined : parseRoles(values.role);
  const metrics = metricsOption(values['metrics-port'], values['metrics-host'], roles !== undefined);
  const statusFormat = values.format ?? 'text';
  if (statusFormat !== 'text' && statusFormat !== 'json')
    throw new UsageError(`--format ${statusFormat}: choose text or json.`, { docsPath: 'monitor/cluster.md' });
  // A cluster role or --status without its config or PostgreSQL is refused before anything is reached.
  if (roles || values.status) {
    clusterSettings(config, io.env);
    if (!io.openStore && !io.env[config.store?.urlEnv ?? 'DATABASE_URL'])
      throw new UsageError(
        `${roles ? '--role' : '--status'} needs PostgreSQL shared by every process: set ${config.store?.urlEnv ?? 'DATABASE_URL'}.`,
        { docsPath: 'monitor/cluster.md' },
      );
  }
  const logger = createLogger({
    write: io.stderr,
    format: logFormat as LogFormat,
    secrets: rpcSecrets(config, io.env),
  });
  const log = (line: string) => logger.info(line);
  if (values.status) {
    const store = io.openStore
      ? await io.openStore()
      : await openStore({
          url: io.env[config.store?.urlEnv ?? 'DATABASE_URL'],
          dataDir: values.db ?? config.store?.dataDir,
          cwd: io.cwd,
        });
    try {
      return await printClusterStatus({ config, store, io, format: statusFormat });
    } finally {
      if (!io.openStore) await store.close();
    }
  }
  if (values.check) {
    const report = await runPreflight(config, { env: io.env });
    io.stdout(`${scrub(formatPreflight(report, { okLines: true }), rpcSecrets(config, io.env))}\n`);
    if (report.errors > 0) {
      io.stdout(`${values.config}: not valid: ${report.errors} error(s), ${report.warnings} warning(s).\n`);
      return 2;
    }
    io.stdout(
      `${values.config}: valid: ${config.chains.length} chain(s), ${config.contracts.length} contract(s), ${config.contracts.filter((c) => c.breaker?.autoPause).length} with automatic pause${config.dryRun ? ' (dry run)' : ''}${report.warnings > 0 ? `, ${report.warnings} warning(s)` : ''}.\n`,
    );
    return 0;
  }
  if (!(await passesPreflight(config, values.config, io.env, logger))) return 2;
  // Only now: a refused start leaves no trace, not even a new store folder.
  let store: Store;
  let ownStore = false;
  if (io.openStore) store = await io.openStore();
  else {
    const opening = performance.now();
    const opened = await openStore({
      url: io.env[config.store?.urlEnv ?? 'DATABASE_URL'],
      dataDir: values.db ?? config.store?.dataDir,
      cwd: io.cwd,
    });
    logger.info(`Store: ${opened.engine} ${opened.location} (${Math.round(performance.now() - opening)} ms).`);
    store = opened;
    ownStore = true;
  }
  if (roles) {
    try {
      return await runMonitorRoles({ config, store, roles, io, logger, readyFile, metrics });
    } finally {
      if (readyFile) rmSync(readyFile, { force: true });
      if (ownStore) await store.close();
    }
  }
  let monitors: Monitor[] = [];
  // The first SIGINT/SIGTERM stops after the block in hand (baselines and cursor saved, exit 0); a second exits at once.
  const learning = new AbortController();
  let stopping: Promise<unknown> | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log(`${signal} again: exiting now; the next start resumes after the last recorded block.`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    log(`${signal}: stopping after the block in hand; saving baselines and the cursor…`);
    learning.abort();
    stopping = Promise.all(monitors.map((monitor) => monitor.stop()));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    monitors = await createMonitorsFromConfig({ config, store, rules: allRules, env: io.env, log, logger });
    try {
      for (const monitor of monitors) {
        if (!learning.signal.aborted) await monitor.learn({ signal: learning.signal });
      }
    } catch (error) {
      if (!learning.signal.aborted) throw error;
    }
    if (learning.signal.aborted) {
      log('Stopped before watching: nothing was evaluated; learning starts again at the next start.');
      return 0;
    }
    log(
      `Watching ${config.contracts.length} contract(s) on ${config.chains.length} chain(s)${config.dryRun ? ' (dry run: no pause is sent)' : ''}.`,
    );
    void announceReady(monitors, readyFile, logger);
    try {
      await Promise.all(monitors.map((monitor) => monitor.run()));
    } catch (error) {
      // One chain could not record a block: stop the others cleanly too, then fail (a restart resumes).
      await Promise.allSettled(monitors.map((monitor) => monitor.stop()));
      throw error;
    }
    await stopping;
    log('Stopped: baselines and cursor saved.');
    return 0;
  } finally {
    if (readyFile) rmSync(readyFile, { force: true });
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (ownStore) await store.close();
  }
}

/**
 * The checks every start runs (`--check` prints them all): each problem logged with its fix; false
 * (the caller exits 2 without touching the store) when any is an error. Shared with `bulwark serve --config`.
 */
export async function passesPreflight(
  config: MonitorConfig,
  configPath: string,
  env: NodeJS.ProcessEnv,
  logger: Logger,
): Promise<boolean> {
  const preflightStarted = performance.now();
  const report = await runPreflight(config, { env });
  for (const result of report.results) {
    if (result.status === 'ok') logger.debug(`${result.where}: ${result.message}`, { check: result.check });
    else
      logger.log(result.status === 'error' ? 'error' : 'warn', `${result.where}: ${result.message}`, {
        check: result.check,
        fix: result.fix,
      });
  }
  if (report.errors > 0) {
    logger.error(
      `Not starting: ${report.errors} problem(s) in ${configPath} (listed above). \`bulwark monitor --check\` shows them all.`,
    );
    return false;
  }
  logger.info(
    `Preflight passed: ${report.results.length} check(s), ${report.warnings} warning(s) (${Math.round(performance.now() - preflightStarted)} ms).`,
  );
  return true;
}

/** Once every chain is followed: the ready file, and the same fact in the log. */
async function announceReady(
  monitors: readonly Monitor[],
  readyFile: string | undefined,
  logger: Logger,
): Promise<void> {
  await Promise.all(monitors.map((monitor) => monitor.whenFollowing));
  const chains = monitors.map((monitor) => monitor.status().chainId);
  if (readyFile) {
    writeFileSync(readyFile, `${JSON.stringify({ pid: process.pid, readyAt: new Date().toISOString(), chains })}\n`);
  }
  logger.info(`Ready: following ${chains.length} chain(s) (${chains.join(', ')}).`, { event: 'ready' });
}

/**
 * What must never be printed of the configured RPC URLs: the parts that look like keys, and any
 * environment value of six characters or more filled into one (`https://rpc.example/${RPC_KEY}`).
 */
export function rpcSecrets(config: MonitorConfig, env: NodeJS.ProcessEnv): string[] {
  const urls = config.chains.flatMap((chain) =>
    chain.rpc.flatMap((entry) => (typeof entry === 'string' ? [entry] : [entry.http, ...(entry.ws ? [entry.ws] : [])])),
  );
  const filled = Object.values(env).filter(
    (value): value is string => value !== undefined && value.length >= 6 && urls.some((url) => url.includes(value)),
  );
  // A URL without a key is its own name: kept, so logs can say which endpoint failed.
  return [...urls.flatMap((url) => secretsOf(url).filter((secret) => secret !== endpointName(url))), ...filled];
}
