import { writeFileSync } from 'node:fs';
import {
  type ClusterRole,
  clusterSettings,
  clusterStatus,
  connectCluster,
  formatClusterStatus,
  runClusterRoles,
} from '@bulwark/cluster';
import { type Logger, UsageError } from '@bulwark/core';
import { allRules, type MonitorConfig } from '@bulwark/monitor';
import type { Store } from '@bulwark/store';
import type { Io } from '../main.ts';

/*
 * `bulwark monitor --role …` and `--status`: the monitor's stages as separate processes over
 * NATS JetStream, the shared state in PostgreSQL (docs/monitor/cluster.md).
 */

function needPostgres(store: Store, what: string): void {
  if (store.engine !== 'postgres')
    throw new UsageError(
      `${what} needs PostgreSQL shared by every process: set DATABASE_URL (or the variable store.urlEnv names).`,
      { docsPath: 'monitor/cluster.md' },
    );
}

/** `--metrics-port` and `--metrics-host` checked: a port 0–65535, only with `--role`. */
export function metricsOption(
  port: string | undefined,
  host: string | undefined,
  withRoles: boolean,
): { port: number; host: string | undefined } | undefined {
  if (port === undefined) {
    if (host !== undefined)
      throw new UsageError('--metrics-host needs --metrics-port.', { docsPath: 'monitor/cluster.md' });
    return undefined;
  }
  if (!withRoles)
    throw new UsageError("--metrics-port serves the cluster roles' figures: use it with --role.", {
      docsPath: 'monitor/cluster.md',
    });
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65_535)
    throw new UsageError(`--metrics-port ${port}: give a port number from 0 to 65535 (0 picks a free one).`, {
      docsPath: 'monitor/cluster.md',
    });
  return { port: Number(port), host };
}

/** Runs the roles until SIGINT/SIGTERM; a second signal exits at once. */
export async function runMonitorRoles(parameters: {
  config: MonitorConfig;
  store: Store;
  roles: readonly ClusterRole[];
  io: Io;
  logger: Logger;
  readyFile: string | undefined;
  metrics?: { port: number; host: string | undefined } | undefined;
}): Promise<number> {
  const { config, store, roles, io, logger, readyFile } = parameters;
  const settings = clusterSettings(config, io.env);
  needPostgres(store, '--role');
  const log = (line: string) => logger.info(line);
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) {
      log(`${signal} again: exiting now; unacknowledged work goes to another process.`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    log(`${signal}: stopping after the work in hand…`);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await runClusterRoles({
      config,
      store,
      rules: allRules,
      env: io.env,
      log,
      logger,
      roles,
      settings,
      signal: stop.signal,
      metricsPort: parameters.metrics?.port,
      metricsHost: parameters.metrics?.host,
      onStarted: () => {
        if (readyFile)
          writeFileSync(
            readyFile,
            `${JSON.stringify({ pid: process.pid, readyAt: new Date().toISOString(), roles, chains: config.chains.map((chain) => chain.id) })}\n`,
          );
        logger.info(`Ready: roles ${roles.join(', ')}.`, { event: 'ready' });
      },
    });
    log('Stopped.');
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** `--status`: each chain's head, lag, ingest leader, consumers and pending counts. */
export async function printClusterStatus(parameters: {
  config: MonitorConfig;
  store: Store;
  io: Io;
  format: 'text' | 'json';
}): Promise<number> {
  const { config, store, io } = parameters;
  const settings = clusterSettings(config, io.env);
  needPostgres(store, '--status');
  const connection = await connectCluster(settings, 'bulwark status');
  try {
    const statuses = await clusterStatus(connection, config, store);
    io.stdout(
      parameters.format === 'json'
        ? `${JSON.stringify({ chains: statuses }, null, 2)}\n`
        : formatClusterStatus(statuses),
    );
    return 0;
  } finally {
    await connection.close();
  }
}
