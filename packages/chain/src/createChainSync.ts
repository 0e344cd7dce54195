import type { Address, Hex } from 'viem';
import { createCapabilityTracker } from './capabilities.ts';
import { ChainSyncError } from './errors.ts';
import { createEventChannel } from './eventChannel.ts';
import { watchMempool } from './mempool.ts';
import {
  type CreateRpcPoolParameters,
  createRpcPool,
  type EndpointHealth,
  type RpcEndpointConfig,
  type RpcPool,
} from './rpcPool.ts';
import { syncHistorical } from './syncHistorical.ts';
import { type SyncMode, syncRealtime } from './syncRealtime.ts';
import type { Block, BlockRef, Capabilities, ChainEvent, Checkpoint, CheckpointStore } from './types.ts';

export type CreateChainSyncParameters = {
  chainId: number;
  /** In order of preference; an endpoint with a `ws` URL gives newHeads (and pending) subscriptions. */
  endpoints: readonly (string | RpcEndpointConfig)[];
  checkpointStore: CheckpointStore;
  /** Blocks to wait before emitting one; default 0 (what security rules need). */
  confirmations?: number | undefined;
  /** Head polling without a WebSocket; default 1 s. Mempool polling uses half of it. */
  pollingIntervalMs?: number | undefined;
  /** Mempool mode: pending transactions touching these addresses are traced and emitted as `pending`. */
  watch?: readonly Address[] | undefined;
  /** Trace every pending transaction to find indirect touches (default), or only those sent to or from `watch`. */
  mempoolTraceAll?: boolean | undefined;
  /** Without a checkpoint, the first block to emit; default the current head. */
  startBlock?: bigint | undefined;
  /** Fetch call traces; default true (skipped by itself where the node lacks them). */
  traces?: boolean | undefined;
  /**
   * Emit each live block as `block-receipts` once its receipts are in, before its traces (which
   * take the node longest), then as `block`; default false.
   */
  receiptsFirst?: boolean | undefined;
  /** Use WebSocket subscriptions where an endpoint has a ws URL; default true. */
  webSocket?: boolean | undefined;
  /** Blocks fetched at once when catching up or backfilling; default 4. */
  concurrency?: number | undefined;
  /** Recent block hashes kept to locate a reorg's fork point; default 128. */
  windowSize?: number | undefined;
  /** Hashes of blocks below the checkpoint saved with it, to locate a reorg during downtime; default 32. */
  checkpointDepth?: number | undefined;
  /** Timeouts, circuits and back-off of the RPC pool. */
  rpc?: Omit<CreateRpcPoolParameters, 'endpoints' | 'logger'> | undefined;
  logger?: CreateRpcPoolParameters['logger'];
};

export type ChainSyncStatus = {
  running: boolean;
  /** How heads arrive: `websocket`, or `polling` (no WebSocket, or it is down). */
  mode: SyncMode | undefined;
  /** How pending transactions arrive; undefined without `watch`. */
  mempoolMode: SyncMode | undefined;
  /** The last block the consumer processed. */
  checkpoint: Checkpoint | undefined;
  endpoints: EndpointHealth[];
  capabilities: Capabilities;
};

export type ChainSync = {
  readonly chainId: number;
  readonly pool: RpcPool;
  /**
   * Checks the endpoints serve `chainId`, reads the checkpoint and starts following the chain.
   * `startBlock` overrides the configured one (used only without a checkpoint): the consumer that
   * learned up to a block starts the sync right after it.
   */
  start(options?: { startBlock?: bigint | undefined }): Promise<void>;
  /** Stops; the event stream ends after the event in hand (whose checkpoint is written when the consumer asks for the next). */
  stop(): Promise<void>;
  /**
   * The ordered events: `block` (after `block-receipts` with `receiptsFirst`), `reorg`, `gap-filled`, `pending`, `capabilities`, `error`. One
   * consumer. An event counts as processed (and a block's checkpoint is written) when the
   * consumer asks for the next one; leaving the loop by `break` or a throw does not count it, so
   * it is delivered again after a restart.
   */
  events(): AsyncIterable<ChainEvent>;
  /** Blocks `from`..`to` in order (for baselines); independent of the checkpoint and the live stream. */
  backfill(from: bigint, to: bigint, options?: { signal?: AbortSignal | undefined }): AsyncGenerator<Block>;
  capabilities(): Capabilities;
  status(): ChainSyncStatus;
};

/** Wires the RPC pool, realtime and historical sync, mempool watch and checkpoints of one chain. */
export function createChainSync(parameters: CreateChainSyncParameters): ChainSync {
  const { chainId, checkpointStore } = parameters;
  if (parameters.endpoints.length === 0) {
    throw new ChainSyncError(`Chain ${chainId} has no RPC endpoint.`, { details: 'Give at least one endpoint.' });
  }
  const pool = createRpcPool({ ...parameters.rpc, endpoints: parameters.endpoints, logger: parameters.logger });
  const checkpointDepth = parameters.checkpointDepth ?? 32;
  let checkpoint: Checkpoint | undefined;
  /** The processed blocks behind the checkpoint, consecutive, oldest first. */
  let processed: BlockRef[] = [];
  const channel = createEventChannel<ChainEvent>(async (event) => {
    if (event.type === 'block') {
      const { number, hash } = event.block;
      if (processed.at(-1)?.number !== number - 1n) processed = [];
      processed.push({ number, hash });
    } else if (event.type === 'reorg') {
      const ancestor = event.commonAncestor;
      processed = processed.filter((block) => block.number <= ancestor.number);
      if (processed.at(-1)?.hash !== ancestor.hash) processed = [ancestor];
    } else {
      return;
    }
    if (processed.length > checkpointDepth + 1) processed.splice(0, processed.length - checkpointDepth - 1);
    const tip = processed.at(-1)!;
    checkpoint = {
      number: tip.number,
      hash: tip.hash,
      ancestors: processed
        .slice(0, -1)
        .reverse()
        .map((block) => block.hash),
    };
    await checkpointStore.set(chainId, checkpoint);
  }, blockOvertakesPending);
  const capabilities = createCapabilityTracker((snapshot) => {
    void channel.push({ type: 'capabilities', chainId, capabilities: snapshot });
  });
  let controller: AbortController | undefined;
  let tasks: Promise<unknown>[] = [];
  let mode: SyncMode | undefined;
  let mempoolMode: SyncMode | undefined;
  let started = false;

  return {
    chainId,
    pool,
    async start(options = {}) {
      if (started) throw new ChainSyncError(`The sync of chain ${chainId} was already started; create a new one.`);
      started = true;
      try {
        const { result, endpoint } = await pool.requestWithEndpoint<Hex>('eth_chainId', [], {
          validate: (value) =>
            typeof value === 'string' && /^0x[0-9a-fA-F]+$/.test(value) ? undefined : 'not a chain id.',
        });
        if (Number(result) !== chainId) {
          throw new ChainSyncError(`${endpoint} serves chain ${Number(result)}, not chain ${chainId}.`, {
            details: 'Check the endpoints configured for this chain.',
          });
        }
        checkpoint = await checkpointStore.get(chainId);
      } catch (error) {
        // Nothing started: the caller may try again (the endpoints may be back).
        started = false;
        throw error;
      }
      if (checkpoint) {
        const { number, hash, ancestors = [] } = checkpoint;
        processed = [
          ...ancestors.map((ancestor, i) => ({ number: number - 1n - BigInt(i), hash: ancestor })).reverse(),
          { number, hash },
        ];
      }
      controller = new AbortController();
      const signal = controller.signal;
      const deliver = (event: ChainEvent) => channel.push(event);
      /** While a live block is fetched, the mempool watch traces nothing (see `onFetch`). */
      let fetching: Promise<void> | undefined;
      tasks = [
        syncRealtime(pool, {
          chainId,
          capabilities,
          checkpoint,
          startBlock: options.startBlock ?? parameters.startBlock,
          confirmations: parameters.confirmations,
          pollingIntervalMs: parameters.pollingIntervalMs,
          webSocket: parameters.webSocket,
          windowSize: parameters.windowSize,
          concurrency: parameters.concurrency,
          traces: parameters.traces,
          receiptsFirst: parameters.receiptsFirst,
          deliver,
          onFetch: () => {
            let done!: () => void;
            const current = new Promise<void>((resolve) => {
              done = resolve;
            });
            fetching = current;
            return () => {
              if (fetching === current) fetching = undefined;
              done();
            };
          },
          onModeChange: (next) => {
            mode = next;
          },
          signal,
        }),
      ];
      if (parameters.watch && parameters.watch.length > 0) {
        tasks.push(
          watchMempool(pool, {
            chainId,
            capabilities,
            watch: parameters.watch,
            traceAll: parameters.mempoolTraceAll,
            pollingIntervalMs: Math.max(50, Math.floor((parameters.pollingIntervalMs ?? 1_000) / 2)),
            webSocket: parameters.webSocket,
            deliver,
            blockFetched: () => fetching,
            onModeChange: (next) => {
              mempoolMode = next;
            },
            signal,
          }),
        );
      }
      // A task that dies unexpectedly is reported on the stream rather than lost.
      tasks = tasks.map((task) =>
        task.catch((error) => {
          if (!signal.aborted) void channel.push({ type: 'error', chainId, error: error as Error });
        }),
      );
    },
    async stop() {
      controller?.abort(new ChainSyncError(`The sync of chain ${chainId} stopped.`));
      channel.close();
      await Promise.all(tasks);
    },
    events: () => channel.iterable,
    async *backfill(from, to, options = {}) {
      const head = BigInt(await pool.request<Hex>('eth_blockNumber', [], { signal: options.signal }));
      if (to > head) {
        throw new ChainSyncError(`Cannot backfill to block ${to}: the head of chain ${chainId} is ${head}.`, {
          details: 'Backfill up to the head; the live sync carries on from there.',
        });
      }
      yield* syncHistorical(pool, {
        chainId,
        from,
        to,
        capabilities,
        concurrency: parameters.concurrency,
        traces: parameters.traces,
        signal: options.signal,
      });
    },
    capabilities: () => capabilities.snapshot(),
    status: () => ({
      running: controller !== undefined && !controller.signal.aborted,
      mode,
      mempoolMode,
      checkpoint,
      endpoints: pool.health(),
      capabilities: capabilities.snapshot(),
    }),
  };
}

/**
 * A block goes ahead of pending transactions still queued: it is what the monitor must judge
 * first, and those of them it includes are no longer pending. Everything else keeps its order.
 */
function blockOvertakesPending(event: ChainEvent, queued: ChainEvent): boolean {
  return (event.type === 'block' || event.type === 'block-receipts') && queued.type === 'pending';
}

/** A `CheckpointStore` in memory: for tests, and for runs that need not survive a restart. */
export function createMemoryCheckpointStore(initial: Record<number, Checkpoint> = {}): CheckpointStore & {
  readonly checkpoints: Map<number, Checkpoint>;
} {
  const checkpoints = new Map<number, Checkpoint>(Object.entries(initial).map(([id, value]) => [Number(id), value]));
  return {
    checkpoints,
    get: async (id) => checkpoints.get(id),
    set: async (id, value) => {
      checkpoints.set(id, value);
    },
  };
}
