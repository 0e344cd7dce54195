import type { Hex } from 'viem';
import type { CapabilityTracker } from './capabilities.ts';
import { ChainReorgedError } from './errors.ts';
import { keepSubscribed } from './keepSubscribed.ts';
import type { RpcPool } from './rpcPool.ts';
import { syncHistorical } from './syncHistorical.ts';
import type { Block, BlockRef, ChainEvent, Checkpoint } from './types.ts';

export type SyncMode = 'websocket' | 'polling';

/** A catch-up of fewer blocks than this is live: its fetch holds the mempool watch's traces. */
const liveBlocks = 3n;

export type SyncRealtimeParameters = {
  chainId: number;
  capabilities: CapabilityTracker;
  /** The last block already processed: the sync goes on with its child (recovering the gap). */
  checkpoint: Checkpoint | undefined;
  /** Without a checkpoint, the first block to emit; default the head (minus confirmations). */
  startBlock?: bigint | undefined;
  /** Blocks to wait before emitting one; default 0 (security rules act on the newest block). */
  confirmations?: number | undefined;
  /** How often to ask for the head without a WebSocket (or while it is down); default 1 s. */
  pollingIntervalMs?: number | undefined;
  /** Subscribe to newHeads when an endpoint has a WebSocket URL; default true. */
  webSocket?: boolean | undefined;
  /** Recent block hashes kept to find where a reorg forked; default 128. */
  windowSize?: number | undefined;
  /** Blocks fetched at once when catching up; default 4. */
  concurrency?: number | undefined;
  traces?: boolean | undefined;
  /**
   * Emit `block-receipts` for a live block (the next one, fetched alone) as soon as its receipts
   * are in, before its traces; default false.
   */
  receiptsFirst?: boolean | undefined;
  /** Hands an event to the consumer; resolves once it was processed. */
  deliver(event: ChainEvent): Promise<void>;
  /**
   * Called when a live block (a catch-up of at most `liveBlocks`) starts being fetched; the
   * returned function when it is fetched. The mempool watch holds its traces meanwhile.
   */
  onFetch?: (() => () => void) | undefined;
  onModeChange?: ((mode: SyncMode) => void) | undefined;
  /** The sync runs until this aborts. */
  signal: AbortSignal;
};

/** A head, and when the sync learned of it (epoch ms, sub-millisecond). */
type Header = { number: bigint; hash: Hex; parentHash: Hex; seenAt: number };

/**
 * Follows the chain head and emits, in order: every block (from the checkpoint's child on),
 * `gap-filled` after catching up several blocks at once, and `reorg` when an emitted block's
 * successor does not build on it (the common ancestor is found in a window of recent hashes).
 * Heads come from a WebSocket `newHeads` subscription when there is one, else from polling;
 * when the WebSocket drops it polls until the subscription is back.
 */
export async function syncRealtime(pool: RpcPool, parameters: SyncRealtimeParameters): Promise<void> {
  const { chainId, signal, deliver } = parameters;
  const confirmations = BigInt(parameters.confirmations ?? 0);
  const pollingIntervalMs = parameters.pollingIntervalMs ?? 1_000;
  // With a live subscription, still poll now and then in case a notification was lost.
  const heartbeatMs = Math.max(pollingIntervalMs * 10, 5_000);
  const windowSize = Math.max(2, parameters.windowSize ?? 128);

  /** Recent emitted blocks, consecutive, oldest first. */
  let window: BlockRef[] = [];
  if (parameters.checkpoint) {
    const { number, hash, ancestors = [] } = parameters.checkpoint;
    window = [
      ...ancestors.map((ancestor, i) => ({ number: number - 1n - BigInt(i), hash: ancestor })).reverse(),
      { number, hash },
    ].filter((block) => block.number >= 0n);
  }
  const last = () => window.at(-1);
  const hashAt = (number: bigint) => {
    const first = window[0];
    if (!first || number < first.number) return undefined;
    return window[Number(number - first.number)]?.hash;
  };

  let notifiedHead: Header | undefined;
  let again = false;
  let wake: (() => void) | undefined;
  let mode: SyncMode | undefined;
  const setMode = (next: SyncMode) => {
    if (mode === next) return;
    mode = next;
    parameters.onModeChange?.(next);
  };

  const header = async (tag: bigint | 'latest'): Promise<Header | undefined> => {
    const raw = await pool.request<{ number: Hex; hash: Hex; parentHash: Hex } | null>(
      'eth_getBlockByNumber',
      [tag === 'latest' ? tag : `0x${tag.toString(16)}`, false],
      { signal, validate: (result) => validateHeader(result, tag === 'latest') },
    );
    return raw
      ? {
          number: BigInt(raw.number),
          hash: raw.hash,
          parentHash: raw.parentHash,
          seenAt: performance.timeOrigin + performance.now(),
        }
      : undefined;
  };

  const subscription =
    parameters.webSocket !== false && pool.webSockets().length > 0
      ? keepSubscribed(pool, {
          params: ['newHeads'],
          signal,
          onData(data) {
            if (validateHeader(data, true)) return;
            const raw = data as { number: Hex; hash: Hex; parentHash: Hex };
            notifiedHead = {
              number: BigInt(raw.number),
              hash: raw.hash,
              parentHash: raw.parentHash,
              seenAt: performance.timeOrigin + performance.now(),
            };
            wake?.();
          },
          onStatus({ up }) {
            setMode(up ? 'websocket' : 'polling');
            // Up: catch up at once on what came while it was down. Down: start polling now.
            wake?.();
          },
        })
      : undefined;
  // Polling until the subscription is up (if ever).
  setMode('polling');

  async function reconcile(head: Header): Promise<void> {
    const tip = last();
    if (!tip) {
      const target = head.number - confirmations;
      const from = parameters.startBlock ?? target;
      // A start block still ahead of the chain: wait for it.
      if (target < 0n || from > target) return;
      await catchUp(from, target, head.seenAt);
      return;
    }
    if (head.number <= tip.number) {
      // Nothing new on top, but the head may have been replaced (same-height reorg) or the chain
      // may have got shorter (blocks we emitted are gone).
      if (head.number === tip.number && head.hash === tip.hash) return;
      await reorg(hashAt(head.number) === head.hash ? head.number + 1n : head.number);
      return;
    }
    const target = head.number - confirmations;
    if (target > tip.number) await catchUp(tip.number + 1n, target, head.seenAt);
  }

  async function catchUp(from: bigint, to: bigint, seenAt: number): Promise<void> {
    let count = 0;
    // A live block goes first on the node; a long catch-up does not hold the mempool watch.
    let fetched = to - from < liveBlocks ? parameters.onFetch?.() : undefined;
    const parent = last();
    // Only the next block, fetched alone, can be judged before its traces: the consumer holds the
    // state of the block before it. Queued, not awaited: the traces are on their way meanwhile.
    const onReceipts =
      parameters.receiptsFirst && from === to
        ? (block: Block) => {
            if (parent && block.parentHash !== parent.hash) return;
            const fetchedAt = performance.timeOrigin + performance.now();
            void deliver({ type: 'block-receipts', chainId, block: { ...block, seenAt, fetchedAt } });
          }
        : undefined;
    try {
      for await (const block of syncHistorical(pool, {
        chainId,
        from,
        to,
        parent,
        capabilities: parameters.capabilities,
        concurrency: parameters.concurrency,
        traces: parameters.traces,
        onReceipts,
        signal,
      })) {
        const fetchedAt = performance.timeOrigin + performance.now();
        fetched?.();
        fetched = undefined;
        await deliver({ type: 'block', chainId, block: { ...block, seenAt, fetchedAt } });
        window.push({ number: block.number, hash: block.hash });
        if (window.length > windowSize) window.splice(0, window.length - windowSize);
        count++;
        if (signal.aborted) return;
      }
    } catch (error) {
      fetched?.();
      if (error instanceof ChainReorgedError && !signal.aborted) {
        await reorg(error.number);
        return;
      }
      throw error;
    }
    fetched?.();
    if (count > 1) await deliver({ type: 'gap-filled', chainId, from, to: last()!.number });
  }

  /** `number` is the first block that does not build on what was emitted: find the fork point below it. */
  async function reorg(number: bigint): Promise<void> {
    let ancestor: BlockRef | undefined;
    const oldest = window[0]?.number;
    for (let k = number - 1n; oldest !== undefined && k >= oldest; k--) {
      const known = hashAt(k);
      const canonical = await header(k);
      if (known && canonical?.hash === known) {
        ancestor = { number: k, hash: known };
        break;
      }
    }
    const deep = ancestor === undefined;
    if (!ancestor) {
      const below = (oldest !== undefined && oldest < number ? oldest : number) - 1n;
      const canonical = below >= 0n ? await header(below) : undefined;
      ancestor = canonical
        ? { number: canonical.number, hash: canonical.hash }
        : { number: below, hash: `0x${'0'.repeat(64)}` };
    }
    const dropped = window.filter((block) => block.number > ancestor.number);
    window = deep ? [ancestor] : window.filter((block) => block.number <= ancestor.number);
    // Nothing emitted was replaced (the node moved between two requests, or two nodes behind the
    // pool disagree): look again at the next tick rather than at once.
    if (dropped.length === 0) return;
    again = true;
    await deliver({ type: 'reorg', chainId, commonAncestor: ancestor, dropped, deep });
  }

  let failures = 0;
  while (!signal.aborted) {
    try {
      const head = notifiedHead ?? (await header('latest'));
      notifiedHead = undefined;
      if (head) await reconcile(head);
      failures = 0;
    } catch (error) {
      if (signal.aborted) break;
      failures++;
      await deliver({ type: 'error', chainId, error: error as Error });
    }
    if (signal.aborted) break;
    if (again || notifiedHead) {
      again = false;
      continue;
    }
    const interval =
      failures > 0
        ? Math.min(pollingIntervalMs * 2 ** failures, 30_000)
        : mode === 'websocket'
          ? heartbeatMs
          : pollingIntervalMs;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => done(), interval);
      const done = () => {
        clearTimeout(timer);
        wake = undefined;
        signal.removeEventListener('abort', done);
        resolve();
      };
      wake = done;
      signal.addEventListener('abort', done, { once: true });
    });
  }
  await subscription;
}

function validateHeader(result: unknown, required: boolean): string | undefined {
  if (result === null) return required ? 'no latest block.' : undefined;
  if (typeof result !== 'object' || Array.isArray(result)) return 'the block is not an object.';
  const block = result as Record<string, unknown>;
  if (typeof block.number !== 'string' || !/^0x[0-9a-fA-F]+$/.test(block.number)) return 'the block has no number.';
  for (const key of ['hash', 'parentHash'] as const) {
    if (typeof block[key] !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(block[key] as string)) {
      return `the block's ${key} is not a 32-byte hash.`;
    }
  }
  return undefined;
}
