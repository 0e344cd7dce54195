import type { BlockRef, ChainEvent } from '@bulwark/chain';
import { createChainSync } from '@bulwark/chain';
import type { MonitorConfig } from '@bulwark/monitor';
import type { Hex } from 'viem';
import { decodeMessage, encodeMessage } from './codec.ts';
import { blockStream, blockSubject, type ClusterConnection, ingestLeaseKey } from './jetstream.ts';
import { type BlockMessage, blockMessageId } from './messages.ts';
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
  signal: AbortSignal;
};

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
    await lead(parameters, revision).catch((error: Error) => {
      if (!signal.aborted) log(`Chain ${chain.id}: ingest leadership ended: ${error.message}`);
    });
    // Whatever ended it (the node down at start, the lease lost), not straight back at once.
    await sleep(Math.max(100, Math.floor(leaseMs / 4)), signal);
  }
}

async function lead(parameters: IngestParameters, firstRevision: number): Promise<void> {
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
  const tip = await retrying(() => streamTip(connection, chain.id), stop.signal);
  const sync = createChainSync({
    chainId: chain.id,
    endpoints: chain.rpc,
    // The stream is the cursor: the sync resumes after its tip and checks it for a reorg.
    checkpointStore: { get: async () => tip && { number: tip.number, hash: tip.hash }, set: async () => {} },
    confirmations: chain.confirmations,
    pollingIntervalMs: chain.pollingIntervalMs,
    traces: chain.traces,
  });
  try {
    let startBlock = chain.startBlock === undefined ? undefined : BigInt(chain.startBlock);
    if (!tip && startBlock === undefined) {
      const head = BigInt(await sync.pool.request<Hex>('eth_blockNumber', []));
      startBlock = head - BigInt(chain.confirmations ?? 0) + 1n;
    }
    await sync.start({ startBlock });
    log(
      `Chain ${chain.id}: ingest leader (${owner}); publishing from ${tip ? `after block ${tip.number}` : `block ${startBlock}`}.`,
    );
    const onAbort = () => void sync.stop();
    stop.signal.addEventListener('abort', onAbort, { once: true });
    for await (const event of sync.events()) {
      if (stop.signal.aborted) break;
      const message = toMessage(event);
      if (message) await publishBlock(connection, chain.id, message, stop.signal);
      else if (event.type === 'error') log(`Chain ${chain.id}: ingest: ${event.error.message.split('\n')[0]}`);
    }
  } finally {
    clearInterval(renew);
    signal.removeEventListener('abort', stopAll);
    await sync.stop().catch(() => {});
    // A clean stop hands the chain over at once instead of after the lease's TTL.
    if (!lost) await connection.leases.delete(key, { previousSeq: revision }).catch(() => {});
  }
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

/** Publishes until the stream has it (NATS may be restarting); a second copy is dropped by its id. */
export async function publishBlock(
  connection: ClusterConnection,
  chainId: number,
  message: BlockMessage,
  signal: AbortSignal,
): Promise<void> {
  const data = encodeMessage(message);
  const msgID = blockMessageId(chainId, message);
  await retrying(() => connection.js.publish(blockSubject(chainId), data, { msgID }), signal);
}
