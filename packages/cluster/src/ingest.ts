import type { BlockRef, ChainEvent, RpcPool } from '@bulwark/chain';
import { createChainSync, createRpcPool } from '@bulwark/chain';
import { BaseError, type Logger, type LogLevel } from '@bulwark/core';
import { type ChainStatus, type ChainStatusTracker, createChainStatus, type MonitorConfig } from '@bulwark/monitor';
import type { Hex } from 'viem';
import { decodeMessage, encodeMessage } from './codec.ts';
import { createEndpointReferee, type EndpointReferee, type EndpointState, type Verdict } from './endpointReferee.ts';
import { blockStream, blockSubject, type ClusterConnection, ingestEndpointsKey, ingestLeaseKey } from './jetstream.ts';
import { type BlockMessage, blockMessageId } from './messages.ts';
import type { ClusterMetrics } from './metrics.ts';
import { retrying, sleep } from './retry.ts';

/*
 * Ingest: one leader per chain (a JetStream key-value lease, renewed while it runs) follows the
 * chain and publishes each block once, in order, with its hash as the message id. The stream is
 * the durable cursor: a new leader resumes after the last message's tip, and the sync's reorg
 * check starts from it.
 */

type ChainConfig = MonitorConfig['chains'][number];

export type IngestParameters = {
  connection: ClusterConnection;
  chain: ChainConfig;
  /** This process, as the lease names it (shown by `--status`). */
  owner: string;
  log: (line: string) => void;
  logger?: Pick<Logger, 'log'> | undefined;
  signal: AbortSignal;
  /** Counts what ingest publishes, and reads its outages, for `/metrics`. */
  metrics?: ClusterMetrics | undefined;
};

/** What one chain's ingest process knows, read by `/metrics`. */
export type IngestFigures = { chainId: number; status: { snapshot(): ChainStatus }; referee: EndpointReferee };

/** Where the chain's block stream stands: the last message's tip, or undefined before the first. */
export async function streamTip(connection: ClusterConnection, chainId: number): Promise<BlockRef | undefined> {
  const last = await connection.jsm.streams
    .getMessage(blockStream, { last_by_subj: blockSubject(chainId) })
    .catch((error: Error) => {
      if (/no message found|not found/i.test(error.message)) return null;
      throw error;
    });
  return last ? decodeMessage<BlockMessage>(last.data).tip : undefined;
}

/** Runs until `signal` aborts: stands by while another process leads the chain, leads when the lease is free. */
export async function runIngest(parameters: IngestParameters): Promise<void> {
  const { connection, chain, owner, log, signal } = parameters;
  const key = ingestLeaseKey(chain.id);
  const leaseMs = connection.settings.leaseMs;
  let standingBy: string | undefined;
  // Kept across leaderships: an outage is logged once however often the lease changes hands meanwhile.
  const logLevel = parameters.logger?.log ?? ((_level: LogLevel, line: string) => log(line));
  // The head is asked of the endpoints the leader follows (the current sync's pool).
  let pool: RpcPool = createRpcPool({ endpoints: chain.rpc });
  const status = createChainStatus({
    chainId: chain.id,
    log: logLevel,
    head: async () => BigInt(await pool.request<Hex>('eth_blockNumber', [])),
    lagCheckMs: 0,
  });
  const referee = createEndpointReferee({
    endpoints: chain.rpc,
    log: (level, line) => logLevel(level, `Chain ${chain.id}: ${line}`),
  });
  const following: Following = {
    status,
    referee,
    setPool: (next) => {
      pool = next;
    },
  };
  parameters.metrics?.ingest({ chainId: chain.id, status, referee });
  while (!signal.aborted) {
    const revision = await connection.leases.create(key, owner).catch(() => undefined);
    if (revision === undefined) {
      const holder = await connection.leases
        .get(key)
        .then((entry) => entry?.string())
        .catch(() => undefined);
      if (holder && holder !== standingBy) {
        standingBy = holder;
        log(`Chain ${chain.id}: ingest standing by; ${holder} leads.`);
      }
      await sleep(Math.max(100, Math.floor(leaseMs / 4)), signal);
      continue;
    }
    standingBy = undefined;
    await lead(parameters, following, revision).catch((error: Error) => {
      if (!signal.aborted) log(`Chain ${chain.id}: ingest leadership ended: ${error.message}`);
    });
    // Whatever ended it (the node down at start, the lease lost), not straight back at once.
    await sleep(Math.max(100, Math.floor(leaseMs / 4)), signal);
  }
  status.stopped();
}

/** What a leader follows the chain with, kept across leaderships. */
type Following = {
  status: ChainStatusTracker;
  referee: EndpointReferee;
  setPool(pool: RpcPool): void;
};

async function lead(parameters: IngestParameters, following: Following, firstRevision: number): Promise<void> {
  const { connection, chain, owner, log, signal } = parameters;
  const key = ingestLeaseKey(chain.id);
  const leaseMs = connection.settings.leaseMs;
  const stop = new AbortController();
  const stopAll = () => stop.abort();
  signal.addEventListener('abort', stopAll, { once: true });
  let revision = firstRevision;
  let lost = false;
  // Renewed well inside the TTL; a leader that cannot renew steps down (another may lead by now).
  const renew = setInterval(
    () => {
      connection.leases.update(key, owner, revision).then(
        (next) => {
          revision = next;
        },
        (error: Error) => {
          lost = true;
          log(`Chain ${chain.id}: ingest lease lost (${error.message}); stepping down.`);
          stop.abort();
        },
      );
    },
    Math.max(100, Math.floor(leaseMs / 3)),
  );
  try {
    let round = 0;
    // A round follows the endpoints in line; it ends when the referee demotes or reinstates one.
    while (!stop.signal.aborted) {
      const tip = await retrying(() => streamTip(connection, chain.id), stop.signal);
      await followRound(parameters, following, tip, stop.signal, round++ === 0);
    }
  } finally {
    clearInterval(renew);
    signal.removeEventListener('abort', stopAll);
    // A clean stop hands the chain over at once instead of after the lease's TTL.
    if (!lost) await connection.leases.delete(key, { previousSeq: revision }).catch(() => {});
  }
}

/** Follows the chain from the stream tip with the endpoints in line, until `signal` aborts or the referee changes them. */
async function followRound(
  parameters: IngestParameters,
  following: Following,
  firstTip: BlockRef | undefined,
  signal: AbortSignal,
  first: boolean,
): Promise<void> {
  const { connection, chain, owner, log } = parameters;
  const { status, referee } = following;
  const endpoints = referee.active();
  const sync = createChainSync({
    rpc: { onHealthChange: status.endpointChanged },
    chainId: chain.id,
    endpoints,
    // The stream is the cursor: the sync resumes after its tip and checks it for a reorg.
    checkpointStore: {
      get: async () => firstTip && { number: firstTip.number, hash: firstTip.hash },
      set: async () => {},
    },
    confirmations: chain.confirmations,
    pollingIntervalMs: chain.pollingIntervalMs,
    traces: chain.traces,
  });
  following.setPool(sync.pool);
  const round = new AbortController();
  const endRound = () => round.abort();
  signal.addEventListener('abort', endRound, { once: true });
  let tip = firstTip;
  const pollingMs = Math.max(50, chain.pollingIntervalMs ?? 1_000);
  // The endpoints checked against each other between blocks too: a stale preferred endpoint hands over no block at all.
  let auditing = false;
  // With one endpoint there is nothing to compare (and nothing to show).
  const audit =
    chain.rpc.length < 2
      ? undefined
      : setInterval(() => {
          if (auditing) return;
          auditing = true;
          referee
            .audit(tip)
            .then(async (changed) => {
              await publishEndpointStates(connection, chain.id, referee.states());
              if (changed) round.abort();
            })
            .catch(() => {})
            .finally(() => {
              auditing = false;
            });
        }, pollingMs);
  try {
    let startBlock = chain.startBlock === undefined ? undefined : BigInt(chain.startBlock);
    if (!firstTip && startBlock === undefined) {
      const head = BigInt(await sync.pool.request<Hex>('eth_blockNumber', []));
      startBlock = head - BigInt(chain.confirmations ?? 0) + 1n;
    }
    await sync.start({ startBlock });
    status.following(firstTip?.number);
    if (first)
      log(
        `Chain ${chain.id}: ingest leader (${owner}); publishing from ${firstTip ? `after block ${firstTip.number}` : `block ${startBlock}`}.`,
      );
    const onAbort = () => void sync.stop();
    round.signal.addEventListener('abort', onAbort, { once: true });
    for await (const event of sync.events()) {
      if (round.signal.aborted) break;
      if (event.type === 'error') {
        // Logged when it starts an outage, with a line when blocks come again (as the single process does).
        status.syncError(event.error);
        continue;
      }
      const message = toMessage(event);
      if (!message) continue;
      const verdict = await settled(chain.id, log, referee, message, tip, pollingMs, round.signal);
      if (verdict !== 'publish') {
        round.abort();
        break;
      }
      await publishBlock(connection, chain.id, message, round.signal);
      parameters.metrics?.published(chain.id, 'blocks');
      tip = message.tip;
      if (message.kind === 'block') status.block(message.block.number);
    }
  } finally {
    clearInterval(audit);
    signal.removeEventListener('abort', endRound);
    await sync.stop().catch(() => {});
  }
}

/** The referee's verdict once endpoints no longer disagree (`hold` is asked again each polling interval). */
async function settled(
  chainId: number,
  log: (line: string) => void,
  referee: EndpointReferee,
  message: BlockMessage,
  tip: BlockRef | undefined,
  pollingMs: number,
  signal: AbortSignal,
): Promise<Verdict> {
  const what = message.kind === 'block' ? `block ${message.block.number}` : `the reorg below block ${message.from}`;
  const subject = message.kind === 'block' ? { number: message.block.number, hash: message.block.hash } : 'reorg';
  for (let held = false; ; held = true) {
    const verdict = await referee.vet(subject, tip);
    if (verdict !== 'hold' || signal.aborted) {
      if (held) log(`Chain ${chainId}: the endpoints agree again on ${what}; publishing.`);
      return verdict;
    }
    // Two endpoints that differ only at the newest block cannot be told apart: a race at the tip, or one that lies.
    if (!held)
      log(`Chain ${chainId}: the endpoints disagree on ${what}; holding it until they agree (or one is demoted).`);
    await sleep(pollingMs, signal).catch(() => {});
  }
}

/** The endpoints' states for `--status` and `/metrics` of other processes; they expire with the lease bucket's TTL when no leader writes them. */
async function publishEndpointStates(
  connection: ClusterConnection,
  chainId: number,
  states: readonly EndpointState[],
): Promise<void> {
  await connection.leases.put(ingestEndpointsKey(chainId), JSON.stringify(states));
}

/** The endpoints' states as the chain's ingest leader last wrote them, or null when none did (within the lease TTL). */
export async function ingestEndpointStates(
  connection: ClusterConnection,
  chainId: number,
): Promise<EndpointState[] | null> {
  const entry = await connection.leases.get(ingestEndpointsKey(chainId)).catch(() => null);
  return entry && entry.operation === 'PUT' ? (JSON.parse(entry.string()) as EndpointState[]) : null;
}

function toMessage(event: ChainEvent): BlockMessage | undefined {
  if (event.type === 'block') {
    const { block } = event;
    return { kind: 'block', block, tip: { number: block.number, hash: block.hash } };
  }
  if (event.type === 'reorg') {
    const from = event.dropped[0]?.number ?? event.commonAncestor.number + 1n;
    return {
      kind: 'reorg',
      commonAncestor: event.commonAncestor,
      from,
      dropped: event.dropped,
      tip: event.commonAncestor,
    };
  }
  return undefined;
}

export class BlockTooLargeError extends BaseError {
  override name = 'BlockTooLargeError';
}

/**
 * Refuses a block whose message is larger than the server takes (nats-server's `max_payload`, 1 MB
 * by default; a mainnet block with receipts and traces can pass it). Without this the publish
 * fails the same way on every retry and ingest stalls without a word; with it, the leader's log
 * names the block, its size and the fix each time it tries again.
 */
export function checkPayload(
  connection: Pick<ClusterConnection, 'nc'>,
  chainId: number,
  message: BlockMessage,
  size: number,
): void {
  const limit = connection.nc.info?.max_payload;
  if (limit === undefined || size <= limit) return;
  const what = message.kind === 'block' ? `block ${message.block.number}` : `the reorg below block ${message.from}`;
  throw new BlockTooLargeError(
    `Chain ${chainId}: ${what} is ${size} bytes as a NATS message (receipts and traces), more than nats-server's max_payload of ${limit} bytes: raise max_payload in the nats-server config (e.g. "max_payload: 8MB"; at most 64MB) and restart it; ingest publishes the block once it fits.`,
    { docsPath: 'monitor/cluster.md' },
  );
}

/** Publishes until the stream has it (NATS may be restarting); a second copy is dropped by its id. */
export async function publishBlock(
  connection: ClusterConnection,
  chainId: number,
  message: BlockMessage,
  signal: AbortSignal,
): Promise<void> {
  const data = encodeMessage(message);
  checkPayload(connection, chainId, message, data.length);
  const msgID = blockMessageId(chainId, message);
  await retrying(() => connection.js.publish(blockSubject(chainId), data, { msgID }), signal);
}
