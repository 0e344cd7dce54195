import { hostname } from 'node:os';
import { UsageError } from '@bulwark/core';
import type { MonitorConfig } from '@bulwark/monitor';
import { runDetect } from './detect.ts';
import { runIngest } from './ingest.ts';
import { type ClusterConnection, type ClusterSettings, connectCluster, defaultClusterSettings } from './jetstream.ts';
import { createClusterMetrics, serveClusterMetrics } from './metrics.ts';
import { runRespond } from './respond.ts';
import type { RoleBase } from './stageParts.ts';

export const clusterRoles = ['ingest', 'detect', 'respond'] as const;
export type ClusterRole = (typeof clusterRoles)[number];

/** `--role ingest|detect|respond|all` (or a comma-separated list) as the roles to run. */
export function parseRoles(value: string): ClusterRole[] {
  if (value === 'all') return [...clusterRoles];
  const roles = value.split(',').map((role) => role.trim());
  const unknown = roles.filter((role) => !(clusterRoles as readonly string[]).includes(role));
  if (unknown.length > 0 || roles.length === 0)
    throw new UsageError(`--role ${value}: choose ingest, detect, respond or all (or a comma-separated list).`, {
      docsPath: 'monitor/cluster.md',
    });
  return [...new Set(roles)] as ClusterRole[];
}

/** The config's `cluster` section with its defaults; the NATS URL from `natsUrl` or the variable `natsUrlEnv` names. */
export function clusterSettings(config: MonitorConfig, env: NodeJS.ProcessEnv): ClusterSettings {
  const cluster = config.cluster;
  if (!cluster)
    throw new UsageError('--role needs a `cluster` section in the config (at least natsUrl).', {
      docsPath: 'monitor/cluster.md',
    });
  const natsUrl = cluster.natsUrlEnv ? env[cluster.natsUrlEnv] : cluster.natsUrl;
  if (!natsUrl)
    throw new UsageError(
      cluster.natsUrlEnv
        ? `/cluster/natsUrlEnv: the environment variable ${cluster.natsUrlEnv} is not set; set it to the NATS URL.`
        : '/cluster/natsUrl: give the NATS URL (nats://host:4222), or natsUrlEnv.',
      { docsPath: 'monitor/cluster.md' },
    );
  return {
    natsUrl,
    partitions: cluster.partitions ?? defaultClusterSettings.partitions,
    ackWaitMs: cluster.ackWaitMs ?? defaultClusterSettings.ackWaitMs,
    leaseMs: cluster.leaseMs ?? defaultClusterSettings.leaseMs,
    duplicateWindowMs: cluster.duplicateWindowMs ?? defaultClusterSettings.duplicateWindowMs,
  };
}

export type RunClusterRolesParameters = RoleBase & {
  roles: readonly ClusterRole[];
  settings: ClusterSettings;
  /** Stops every role: the block or decision in hand is finished or left unacknowledged for another process. */
  signal: AbortSignal;
  /** Names this process in leases and claims; default host:pid. */
  owner?: string | undefined;
  /** Once connected and the roles started. */
  onStarted?: ((connection: ClusterConnection) => void) | undefined;
  /** Serve `GET /metrics` (Prometheus) on this port (0: any free port); none when undefined. */
  metricsPort?: number | undefined;
  /** Default 127.0.0.1; 0.0.0.0 for a Prometheus on another machine. */
  metricsHost?: string | undefined;
  /** Once `/metrics` listens, with its port. */
  onMetrics?: ((port: number) => void) | undefined;
};

/** Runs the roles until `signal` aborts, then closes the connection. */
export async function runClusterRoles(parameters: RunClusterRolesParameters): Promise<void> {
  const owner = parameters.owner ?? `${hostname()}:${process.pid}`;
  const connection = await connectCluster(parameters.settings, `bulwark ${parameters.roles.join(',')} ${owner}`);
  const { signal, log } = parameters;
  const metrics = parameters.metrics ?? createClusterMetrics();
  parameters = { ...parameters, metrics };
  let served: { port: number; close(): Promise<void> } | undefined;
  try {
    if (parameters.metricsPort !== undefined) {
      const host = parameters.metricsHost ?? '127.0.0.1';
      served = await serveClusterMetrics({ ...parameters, port: parameters.metricsPort, host, metrics, connection });
      log(`Metrics on http://${host.includes(':') ? `[${host}]` : host}:${served.port}/metrics.`);
      parameters.onMetrics?.(served.port);
    }
    const running: Promise<void>[] = [];
    if (parameters.roles.includes('ingest'))
      for (const chain of parameters.config.chains)
        running.push(runIngest({ connection, chain, owner, log, logger: parameters.logger, metrics, signal }));
    if (parameters.roles.includes('detect')) running.push(runDetect({ ...parameters, connection, owner, signal }));
    if (parameters.roles.includes('respond')) running.push(runRespond({ ...parameters, connection, owner, signal }));
    log(
      `Cluster roles ${parameters.roles.join(', ')} started as ${owner} (NATS ${new URL(parameters.settings.natsUrl.split(',')[0]!).host}, ${parameters.settings.partitions} partition(s) per chain).`,
    );
    parameters.onStarted?.(connection);
    await Promise.all(running);
  } finally {
    await served?.close();
    await connection.close();
  }
}
