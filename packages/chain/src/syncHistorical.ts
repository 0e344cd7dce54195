import type { CapabilityTracker } from './capabilities.ts';
import { ChainReorgedError, ChainSyncError } from './errors.ts';
import { fetchBlock } from './fetchBlock.ts';
import type { RpcPool } from './rpcPool.ts';
import type { Block, BlockRef } from './types.ts';

export type SyncHistoricalParameters = {
  chainId: number;
  /** First and last block, inclusive. */
  from: bigint;
  to: bigint;
  capabilities: CapabilityTracker;
  /** The block before `from`, when known: the first block's parent hash must be its hash. */
  parent?: BlockRef | undefined;
  /** Blocks fetched at once, ahead of the one being handed over; default 4. */
  concurrency?: number | undefined;
  traces?: boolean | undefined;
  /** Given each block with its receipts, before its traces (see `FetchBlockParameters.onReceipts`). */
  onReceipts?: ((block: Block) => void) | undefined;
  signal?: AbortSignal | undefined;
};

/**
 * Fetches blocks `from`..`to` with bounded concurrency and yields them in order, each checked to
 * be the child of the one before (a `ChainReorgedError` names the first block that is not: the
 * chain reorganised while it was being read). Used for backfills and to recover a gap after
 * downtime; the caller records progress (the checkpoint) as it handles each block.
 */
export async function* syncHistorical(pool: RpcPool, parameters: SyncHistoricalParameters): AsyncGenerator<Block> {
  const { from, to } = parameters;
  if (from < 0n || to < from) {
    throw new ChainSyncError(`Invalid block range ${from}..${to}.`, {
      details: '`from` must be at least 0 and at most `to`.',
    });
  }
  const concurrency = Math.max(1, parameters.concurrency ?? 4);
  // Aborts the fetches still running ahead when the consumer stops early or a fetch fails.
  const controller = new AbortController();
  const signal = parameters.signal ? AbortSignal.any([parameters.signal, controller.signal]) : controller.signal;
  const inFlight: Promise<Block>[] = [];
  let next = from;
  const schedule = () => {
    while (inFlight.length < concurrency && next <= to) {
      const request = fetchBlock(pool, {
        chainId: parameters.chainId,
        number: next++,
        capabilities: parameters.capabilities,
        traces: parameters.traces,
        onReceipts: parameters.onReceipts,
        signal,
      });
      request.catch(() => {});
      inFlight.push(request);
    }
  };

  let parent = parameters.parent;
  try {
    schedule();
    while (inFlight.length > 0) {
      const block = await inFlight.shift()!;
      schedule();
      if (parent && block.parentHash !== parent.hash) {
        throw new ChainReorgedError(
          `Block ${block.number} (${block.hash}) is not a child of ${parent.number} (${parent.hash}).`,
          { number: block.number },
        );
      }
      parent = { number: block.number, hash: block.hash };
      yield block;
    }
  } finally {
    controller.abort(new ChainSyncError('The historical sync stopped.'));
  }
}
