import { createRpcPool } from '@bulwark/chain';
import type { MonitorConfig } from '@bulwark/monitor';
import { listClusterPartitions, type StoreClient } from '@bulwark/store';
import type { Hex } from 'viem';
import type { EndpointState } from './endpointReferee.ts';
import { ingestEndpointStates, streamTip } from './ingest.ts';
import {
  blockStream,
  type ClusterConnection,
  decisionStream,
  detectConsumer,
  ingestLeaseKey,
  respondConsumer,
} from './jetstream.ts';

export type ConsumerStatus = {
  name: string;
  /** Messages not yet delivered to any worker. */
  pending: number;
  /** Delivered, not yet acknowledged (at most 1: one in flight at a time). */
  inFlight: number;
  redelivered: number;
  /** Pull requests waiting: the workers idle on it. */
  waitingWorkers: number;
};

export type ChainClusterStatus = {
  chainId: number;
  /** The node's head, or null when no endpoint answered. */
  head: string | null;
  /** The last block ingest published. */
  published: string | null;
  /** Head minus published, in blocks. */
  lag: string | null;
  /** The process holding the chain's ingest lease, or null when none does. */
  leader: string | null;
  /** Each endpoint as the ingest leader judges it (demoted for a stale head or wrong blocks), or null without a leader. */
  endpoints: EndpointState[] | null;
  partitions: { partition: number; judgedThrough: string | null; consumer: ConsumerStatus | null }[];
  respond: ConsumerStatus | null;
};

/** Each chain's head, lag, ingest leader, and its consumers with their pending counts. */
export async function clusterStatus(
  connection: ClusterConnection,
  config: MonitorConfig,
  store: StoreClient,
): Promise<ChainClusterStatus[]> {
  const consumer = async (stream: string, name: string): Promise<ConsumerStatus | null> => {
    const info = await connection.jsm.consumers.info(stream, name).catch(() => undefined);
    return info
      ? {
          name,
          pending: info.num_pending,
          inFlight: info.num_ack_pending,
          redelivered: info.num_redelivered,
          waitingWorkers: info.num_waiting,
        }
      : null;
  };
  const statuses: ChainClusterStatus[] = [];
  for (const chain of config.chains) {
    const pool = createRpcPool({ endpoints: chain.rpc });
    const head = await pool
      .request<Hex>('eth_blockNumber', [])
      .then(BigInt)
      .catch(() => undefined);
    const tip = await streamTip(connection, chain.id).catch(() => undefined);
    const leader = await connection.leases
      .get(ingestLeaseKey(chain.id))
      .then((entry) => (entry && entry.operation === 'PUT' ? entry.string() : null))
      .catch(() => null);
    const judged = await listClusterPartitions(store, chain.id);
    const partitions = [];
    for (let partition = 0; partition < connection.settings.partitions; partition++) {
      const status = await consumer(blockStream, detectConsumer(chain.id, partition));
      const row = judged.find((candidate) => candidate.partition === partition);
      if (!status && !row) continue;
      partitions.push({ partition, judgedThrough: row ? row.blockNumber.toString() : null, consumer: status });
    }
    statuses.push({
      chainId: chain.id,
      head: head === undefined ? null : head.toString(),
      published: tip ? tip.number.toString() : null,
      lag: head === undefined || !tip ? null : (head - tip.number).toString(),
      leader,
      endpoints: await ingestEndpointStates(connection, chain.id),
      partitions,
      respond: await consumer(decisionStream, respondConsumer(chain.id)),
    });
  }
  return statuses;
}

/** The status as text, one block per chain. */
export function formatClusterStatus(statuses: readonly ChainClusterStatus[]): string {
  const lines: string[] = [];
  const counts = (c: ConsumerStatus | null) =>
    c
      ? `pending ${c.pending}, in flight ${c.inFlight}, redelivered ${c.redelivered}, idle workers ${c.waitingWorkers}`
      : 'no consumer yet';
  for (const chain of statuses) {
    lines.push(
      `Chain ${chain.chainId}: head ${chain.head ?? 'unknown (no endpoint answered)'}, published ${chain.published ?? 'none'}, lag ${chain.lag ?? '?'} block(s), ingest leader ${chain.leader ?? 'none'}`,
    );
    for (const endpoint of chain.endpoints ?? [])
      lines.push(
        `  endpoint ${endpoint.name}: head ${endpoint.head ?? '?'}, ${endpoint.demoted ? `demoted (${endpoint.demoted.reason}) since ${new Date(endpoint.demoted.since).toISOString()}: ${endpoint.demoted.detail}` : 'in line'}`,
      );
    for (const partition of chain.partitions)
      lines.push(
        `  detect partition ${partition.partition}: judged through ${partition.judgedThrough ?? 'none'}; ${counts(partition.consumer)}`,
      );
    lines.push(`  respond: ${counts(chain.respond)}`);
  }
  return `${lines.join('\n')}\n`;
}
