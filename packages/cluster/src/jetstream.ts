import { BaseError } from '@bulwark/core';
import {
  AckPolicy,
  type Consumer,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import { type KV, Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';

/*
 * The streams, consumers and the lease bucket the cluster roles share. Names are fixed so that any
 * process of any role finds them; each is created if missing (creating twice is harmless).
 */

export const blockStream = 'BULWARK_BLOCKS';
export const decisionStream = 'BULWARK_DECISIONS';
export const leaseBucket = 'bulwark_leases';
/** What each detect partition's rules flagged per block message, for the chain's other partitions (`partitionFacts.ts`). */
export const factsStream = 'BULWARK_FACTS';

export const blockSubject = (chainId: number) => `bulwark.blocks.${chainId}`;
export const decisionSubject = (chainId: number, partition: number) => `bulwark.decisions.${chainId}.${partition}`;
export const factsSubject = (chainId: number, partition: number) => `bulwark.facts.${chainId}.${partition}`;
export const factsSubjects = (chainId: number) => `bulwark.facts.${chainId}.*`;
/** Facts kept per partition: the partitions of a chain move one message apart, so a few suffice; more lets a new worker hear recent flags. */
const factsKeptPerPartition = 1_000;
export const detectConsumer = (chainId: number, partition: number) => `detect-${chainId}-${partition}`;
export const respondConsumer = (chainId: number) => `respond-${chainId}`;
export const ingestLeaseKey = (chainId: number) => `ingest.${chainId}`;
/** The ingest leader's view of the chain's endpoints (demoted or not), rewritten at each audit. */
export const ingestEndpointsKey = (chainId: number) => `endpoints.${chainId}`;

export type ClusterSettings = {
  natsUrl: string;
  /** Detect partitions per chain: a contract's events go to partition hash(address) mod this. */
  partitions: number;
  /** A message not acknowledged within this time goes to another worker (a worker died mid-block). */
  ackWaitMs: number;
  /** An ingest leader that does not renew its lease within this time is replaced. */
  leaseMs: number;
  /** JetStream drops a second message with the same id (the block hash) within this window. */
  duplicateWindowMs: number;
};

export const defaultClusterSettings = {
  partitions: 4,
  ackWaitMs: 30_000,
  leaseMs: 10_000,
  duplicateWindowMs: 10 * 60_000,
} as const;

export type ClusterConnection = {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  leases: KV;
  settings: ClusterSettings;
  close(): Promise<void>;
};

const ns = (ms: number) => ms * 1_000_000;

export class ClusterConnectError extends BaseError {
  override name = 'ClusterConnectError';
}

/** host:port of each server, never a user or password written into the URL. */
function hostsOf(urls: string): string {
  return urls
    .split(',')
    .map((url) => {
      try {
        return new URL(url.trim()).host;
      } catch {
        return 'an unparsable URL';
      }
    })
    .join(', ');
}

/** Connects (reconnecting for ever: a restarted server is found again) and makes sure the streams exist. */
export async function connectCluster(settings: ClusterSettings, name: string): Promise<ClusterConnection> {
  const nc = await connect({
    servers: settings.natsUrl,
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
  }).catch((error: Error) => {
    throw new ClusterConnectError(
      `Cannot reach NATS at ${hostsOf(settings.natsUrl)} (${error.message}): start nats-server with JetStream (-js) there, or fix cluster.natsUrl.`,
      { docsPath: 'monitor/cluster.md', cause: error, retryable: true },
    );
  });
  const jsm = await jetstreamManager(nc);
  for (const [stream, subjects, perSubject] of [
    [blockStream, ['bulwark.blocks.*'], undefined],
    [decisionStream, ['bulwark.decisions.*.*'], undefined],
    [factsStream, ['bulwark.facts.*.*'], factsKeptPerPartition],
  ] as const) {
    const config = {
      name: stream,
      subjects: [...subjects],
      duplicate_window: ns(settings.duplicateWindowMs),
      ...(perSubject === undefined ? {} : { max_msgs_per_subject: perSubject }),
    };
    try {
      await jsm.streams.info(stream);
    } catch {
      try {
        await jsm.streams.add(config);
      } catch (error) {
        // Another process created it meanwhile.
        await jsm.streams.info(stream).catch(() => {
          throw error;
        });
      }
    }
  }
  const leases = await new Kvm(nc).create(leaseBucket, { ttl: settings.leaseMs, history: 1 });
  return {
    nc,
    js: jetstream(nc),
    jsm,
    leases,
    settings,
    async close() {
      await nc.drain().catch(() => nc.close());
    },
  };
}

/**
 * A durable pull consumer whose messages are handled in order, by one worker at a time: one
 * message in flight, or up to `maxAckPending` for a worker that takes the waiting ones as a batch
 * (it must then check that no other worker holds earlier ones, see `detect.ts`).
 */
export async function orderedWorkConsumer(
  connection: ClusterConnection,
  parameters: { stream: string; durable: string; filterSubject: string; maxAckPending?: number },
): Promise<Consumer> {
  const { jsm, js, settings } = connection;
  const maxAckPending = parameters.maxAckPending ?? 1;
  const existing = await jsm.consumers.info(parameters.stream, parameters.durable).catch(() => undefined);
  // A consumer made by an older version (one in flight) or with another batch bound.
  if (existing && existing.config.max_ack_pending !== maxAckPending)
    await jsm.consumers.update(parameters.stream, parameters.durable, { max_ack_pending: maxAckPending });
  if (!existing) {
    await jsm.consumers
      .add(parameters.stream, {
        durable_name: parameters.durable,
        filter_subject: parameters.filterSubject,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        max_ack_pending: maxAckPending,
        ack_wait: ns(settings.ackWaitMs),
      })
      .catch(async (error) => {
        await jsm.consumers.info(parameters.stream, parameters.durable).catch(() => {
          throw error;
        });
      });
  }
  return js.consumers.get(parameters.stream, parameters.durable);
}
