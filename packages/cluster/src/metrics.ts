import { createServer, type Server } from 'node:http';
import type { MonitorConfig } from '@bulwark/monitor';
import type { StoreClient } from '@bulwark/store';
import type { IngestFigures } from './ingest.ts';
import type { ClusterConnection } from './jetstream.ts';
import { type ChainClusterStatus, type ConsumerStatus, clusterStatus } from './status.ts';

/*
 * `/metrics` of a cluster role process (Prometheus text, `bulwark_cluster_` prefix): the figures
 * `--status` prints (each chain's head, lag, leader, consumers and their pending counts, the
 * endpoints as the ingest leader judges them), read at each scrape, and what this process did
 * since it started (messages published, acknowledged, redelivered; decisions; pauses).
 */

type Counts = Map<string, number>;

export type ClusterMetrics = {
  /** Ingest or detect published a message on `stream` (`blocks` or `decisions`). */
  published(chainId: number, stream: 'blocks' | 'decisions'): void;
  /** A role acknowledged a message; `redelivered` when JetStream had delivered it before. */
  acked(chainId: number, role: 'detect' | 'respond', redelivered: boolean): void;
  /** Detect decided a block: its verdicts (pause requests) counted too. */
  decided(chainId: number, verdicts: number): void;
  /** Respond acted on a pause verdict, by outcome (sent, planned, proposed, failed, refused, suggested, …). */
  paused(chainId: number, outcome: string): void;
  /** An ingest of this process (its outage counts and the leader's endpoint view). */
  ingest(figures: IngestFigures): void;
  /** The Prometheus text: the cluster's status as of now, then this process's counters. */
  text(status: readonly ChainClusterStatus[]): string;
};

export function createClusterMetrics(): ClusterMetrics {
  const published: Counts = new Map();
  const acked: Counts = new Map();
  const redelivered: Counts = new Map();
  const decisions: Counts = new Map();
  const verdicts: Counts = new Map();
  const pauses: Counts = new Map();
  const ingests: IngestFigures[] = [];
  const bump = (counts: Counts, labels: string, by = 1) => counts.set(labels, (counts.get(labels) ?? 0) + by);
  return {
    published: (chainId, stream) => bump(published, labels({ chain: chainId, stream })),
    acked(chainId, role, again) {
      bump(acked, labels({ chain: chainId, role }));
      if (again) bump(redelivered, labels({ chain: chainId, role }));
    },
    decided(chainId, count) {
      bump(decisions, labels({ chain: chainId }));
      bump(verdicts, labels({ chain: chainId }), count);
    },
    paused: (chainId, outcome) => bump(pauses, labels({ chain: chainId, status: outcome })),
    ingest: (figures) => void ingests.push(figures),
    text(status) {
      const lines: string[] = [];
      const add = (name: string, type: 'gauge' | 'counter', help: string, rows: [string, number | bigint][]) =>
        lines.push(
          `# HELP ${name} ${help}`,
          `# TYPE ${name} ${type}`,
          ...rows.map(([at, value]) => `${name}${at === '' ? '' : `{${at}}`} ${value}`),
        );
      const perChain = (pick: (chain: ChainClusterStatus) => string | null): [string, bigint][] =>
        status.flatMap((chain) => {
          const value = pick(chain);
          return value === null ? [] : [[labels({ chain: chain.chainId }), BigInt(value)]];
        });
      add(
        'bulwark_cluster_chain_head',
        'gauge',
        "The node's head (its endpoints asked at the scrape).",
        perChain((c) => c.head),
      );
      add(
        'bulwark_cluster_published_block',
        'gauge',
        'The last block ingest published.',
        perChain((c) => c.published),
      );
      add(
        'bulwark_cluster_lag_blocks',
        'gauge',
        'Head minus the last block published.',
        perChain((c) => c.lag),
      );
      add(
        'bulwark_cluster_ingest_leader',
        'gauge',
        "1 for the process holding the chain's ingest lease (none while no process leads).",
        status.flatMap((c) =>
          c.leader ? [[labels({ chain: c.chainId, owner: c.leader }), 1] as [string, number]] : [],
        ),
      );
      const consumers = status.flatMap((c) => [
        ...c.partitions.flatMap((p) => (p.consumer ? [{ chain: c.chainId, consumer: p.consumer }] : [])),
        ...(c.respond ? [{ chain: c.chainId, consumer: c.respond }] : []),
      ]);
      const perConsumer = (pick: (consumer: ConsumerStatus) => number): [string, number][] =>
        consumers.map(({ chain, consumer }) => [labels({ chain, consumer: consumer.name }), pick(consumer)]);
      add(
        'bulwark_cluster_consumer_pending',
        'gauge',
        'Messages not yet delivered to any worker.',
        perConsumer((c) => c.pending),
      );
      add(
        'bulwark_cluster_consumer_in_flight',
        'gauge',
        'Messages delivered and not yet acknowledged.',
        perConsumer((c) => c.inFlight),
      );
      add(
        'bulwark_cluster_consumer_redelivered',
        'gauge',
        'Messages JetStream is delivering again (a worker died or was too slow).',
        perConsumer((c) => c.redelivered),
      );
      add(
        'bulwark_cluster_consumer_waiting_workers',
        'gauge',
        'Pull requests waiting: the workers idle on the consumer.',
        perConsumer((c) => c.waitingWorkers),
      );
      add(
        'bulwark_cluster_partition_judged_block',
        'gauge',
        'The last block each detect partition judged and saved.',
        status.flatMap((c) =>
          c.partitions.flatMap((p) =>
            p.judgedThrough === null
              ? []
              : [[labels({ chain: c.chainId, partition: p.partition }), BigInt(p.judgedThrough)] as [string, bigint]],
          ),
        ),
      );
      add(
        'bulwark_cluster_rpc_endpoint_demoted',
        'gauge',
        '1 while the ingest leader leaves the endpoint out (a stale head or wrong blocks), else 0.',
        status.flatMap((c) =>
          (c.endpoints ?? []).map(
            (e) =>
              [labels({ chain: c.chainId, endpoint: e.name, reason: e.demoted?.reason ?? '' }), e.demoted ? 1 : 0] as [
                string,
                number,
              ],
          ),
        ),
      );
      const counted = (counts: Counts): [string, number][] => [...counts];
      add(
        'bulwark_cluster_messages_published_total',
        'counter',
        'Messages this process published, by stream (blocks by ingest, decisions by detect).',
        counted(published),
      );
      add(
        'bulwark_cluster_messages_acked_total',
        'counter',
        'Messages this process acknowledged, by role.',
        counted(acked),
      );
      add(
        'bulwark_cluster_messages_redelivered_total',
        'counter',
        'Of those, messages JetStream had delivered before (to this or another process).',
        counted(redelivered),
      );
      add(
        'bulwark_cluster_decisions_total',
        'counter',
        'Blocks this process judged (one decision each).',
        counted(decisions),
      );
      add('bulwark_cluster_verdicts_total', 'counter', 'Pause verdicts in those decisions.', counted(verdicts));
      add(
        'bulwark_cluster_pause_actions_total',
        'counter',
        'Pauses this process acted on, by outcome (sent, planned, proposed, failed, refused, suggested, …).',
        counted(pauses),
      );
      add(
        'bulwark_cluster_ingest_outages_total',
        'counter',
        "Times this process's ingest could not follow the chain (no endpoint answered), since start.",
        ingests.map((figures) => [labels({ chain: figures.chainId }), figures.status.snapshot().outages]),
      );
      return `${lines.join('\n')}\n`;
    },
  };
}

/** `a="x",b="y"`; values quoted and escaped as JSON strings (the same escapes as Prometheus for `\`, `"` and newlines). */
function labels(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([name, value]) => `${name}=${JSON.stringify(String(value))}`)
    .join(',');
}

/** Serves `GET /metrics` on `host:port` until closed; each scrape reads the cluster's status afresh. */
export async function serveClusterMetrics(parameters: {
  port: number;
  host: string;
  metrics: ClusterMetrics;
  connection: ClusterConnection;
  config: MonitorConfig;
  store: StoreClient;
}): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: GET /metrics.\n');
      return;
    }
    clusterStatus(parameters.connection, parameters.config, parameters.store).then(
      (status) =>
        response
          .writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' })
          .end(parameters.metrics.text(status)),
      // The cause (NATS or PostgreSQL away) is the roles' to log; a scrape says only that it failed.
      () =>
        response
          .writeHead(503, { 'content-type': 'text/plain' })
          .end('Cluster status unavailable: NATS or PostgreSQL did not answer.\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(parameters.port, parameters.host, () => resolve());
  });
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
