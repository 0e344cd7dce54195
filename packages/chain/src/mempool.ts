import type { Address, Hex } from 'viem';
import type { CapabilityTracker } from './capabilities.ts';
import { keepSubscribed } from './keepSubscribed.ts';
import { normalizeCallFrame, normalizePendingTx, type RpcCallFrame, type RpcTransaction } from './normalize.ts';
import { isMethodNotFound, type RpcPool } from './rpcPool.ts';
import { sleep } from './sleep.ts';
import type { CallFrame, ChainEvent, PendingTx } from './types.ts';

export type WatchMempoolParameters = {
  chainId: number;
  capabilities: CapabilityTracker;
  /** Contracts (or accounts) whose pending transactions matter. */
  watch: readonly Address[];
  /**
   * Trace every pending transaction to find those that reach a watched contract through another
   * contract (an attack usually goes through the attacker's own contract); default true. When
   * false, only transactions sent to or from a watched address are traced and reported.
   */
  traceAll?: boolean | undefined;
  /** Poll the pool this often without a WebSocket (or while it is down); default 500 ms. */
  pollingIntervalMs?: number | undefined;
  webSocket?: boolean | undefined;
  /** Pending transactions looked up and traced at once; default 4. */
  concurrency?: number | undefined;
  deliver(event: ChainEvent): Promise<void>;
  /** Resolves when no live block is being fetched (see `onFetch` of the realtime sync): traces wait for it. */
  blockFetched?: (() => Promise<void> | undefined) | undefined;
  onModeChange?: ((mode: 'websocket' | 'polling') => void) | undefined;
  signal: AbortSignal;
};

const maxSeen = 50_000;

/**
 * Watches the mempool: pending transactions from `eth_subscribe newPendingTransactions` (or, on
 * nodes without it, from polling `txpool_content` or the pending block), each simulated with
 * `debug_traceCall` (callTracer) on the latest block, and emitted as `pending` events when they
 * touch a watched address or create a contract, before they are mined. Runs until `signal` aborts.
 */
export async function watchMempool(pool: RpcPool, parameters: WatchMempoolParameters): Promise<void> {
  const { signal, chainId, capabilities } = parameters;
  const watched = new Set(parameters.watch.map((address) => address.toLowerCase()));
  const traceAll = parameters.traceAll ?? true;
  const concurrency = Math.max(1, parameters.concurrency ?? 4);
  const pollingIntervalMs = parameters.pollingIntervalMs ?? 500;
  const seen = new Set<Hex>();
  const queue: (Hex | RpcTransaction)[] = [];
  let active = 0;
  let idle: (() => void) | undefined;
  let subscribed = false;
  // A transaction sent while the subscription was coming up is in no notification: poll once more.
  let pollOnce = false;
  let poolSource: 'txpool' | 'pendingBlock' = 'txpool';

  const enqueue = (item: Hex | RpcTransaction) => {
    const hash = typeof item === 'string' ? item : item.hash;
    if (seen.has(hash)) return;
    seen.add(hash);
    if (seen.size > maxSeen) seen.delete(seen.values().next().value as Hex);
    queue.push(item);
    pump();
  };
  const pump = () => {
    while (active < concurrency && queue.length > 0 && !signal.aborted) {
      const item = queue.shift()!;
      active++;
      handle(item)
        .catch(async (error) => {
          if (!signal.aborted) await parameters.deliver({ type: 'error', chainId, error: error as Error });
        })
        .finally(() => {
          active--;
          if (active === 0) idle?.();
          pump();
        });
    }
  };

  async function handle(item: Hex | RpcTransaction): Promise<void> {
    // A new block is fetched first: both ask the same node, and the block may hold this transaction.
    await parameters.blockFetched?.();
    const raw =
      typeof item === 'string'
        ? await pool.request<RpcTransaction | null>('eth_getTransactionByHash', [item], { signal })
        : item;
    // Gone (replaced or dropped) or already mined: nothing left to warn about.
    if (!raw || raw.blockHash) return;
    const tx = normalizePendingTx(raw);
    const direct = [tx.from, tx.to].some((address) => address !== null && watched.has(address));
    if (!direct && !traceAll) return;
    const trace = await traceCall(tx);
    const touched = new Set<Address>();
    for (const address of [tx.from, tx.to]) if (address && watched.has(address)) touched.add(address);
    if (trace)
      visit(trace, (frame) => {
        for (const address of [frame.from, frame.to]) if (address && watched.has(address)) touched.add(address);
      });
    // A contract being created is reported too, touching nothing yet: the monitor judges new
    // contracts built against watched ones before they exist.
    if (touched.size === 0 && !(trace && createsContract(trace))) return;
    await parameters.deliver({ type: 'pending', chainId, tx, trace, touched: [...touched] });
  }

  async function traceCall(tx: PendingTx): Promise<CallFrame | undefined> {
    const call = {
      from: tx.from,
      ...(tx.to ? { to: tx.to } : {}),
      gas: `0x${tx.gas.toString(16)}`,
      value: `0x${tx.value.toString(16)}`,
      data: tx.input,
    };
    const frame = await capabilities.use('traceCall', () =>
      pool.request<RpcCallFrame>(
        'debug_traceCall',
        [call, 'latest', { tracer: 'callTracer', tracerConfig: { withLog: true } }],
        {
          signal,
          validate: (result) =>
            typeof result === 'object' && result !== null && typeof (result as RpcCallFrame).type === 'string'
              ? undefined
              : 'the trace is not a call frame.',
        },
      ),
    );
    return frame ? normalizeCallFrame(frame) : undefined;
  }

  async function poll(): Promise<void> {
    if (poolSource === 'txpool') {
      try {
        const content = await pool.request<{ pending?: Record<string, Record<string, RpcTransaction>> }>(
          'txpool_content',
          [],
          { signal },
        );
        for (const byNonce of Object.values(content?.pending ?? {})) {
          const txs = Object.values(byNonce).sort((a, b) => Number(BigInt(a.nonce) - BigInt(b.nonce)));
          for (const tx of txs) enqueue(tx);
        }
        return;
      } catch (error) {
        if (!isMethodNotFound(error)) throw error;
        poolSource = 'pendingBlock';
      }
    }
    const block = await pool.request<{ transactions?: RpcTransaction[] } | null>(
      'eth_getBlockByNumber',
      ['pending', true],
      { signal },
    );
    for (const tx of block?.transactions ?? []) enqueue(tx);
  }

  const subscription =
    parameters.webSocket !== false && pool.webSockets().length > 0
      ? keepSubscribed(pool, {
          params: ['newPendingTransactions'],
          signal,
          onData(data) {
            if (typeof data === 'string') enqueue(data as Hex);
            else if (data && typeof data === 'object' && typeof (data as RpcTransaction).hash === 'string') {
              enqueue(data as RpcTransaction);
            }
          },
          onStatus({ up }) {
            subscribed = up;
            if (up) pollOnce = true;
            parameters.onModeChange?.(up ? 'websocket' : 'polling');
          },
        })
      : undefined;

  parameters.onModeChange?.('polling');
  let failures = 0;
  while (!signal.aborted) {
    if (!subscribed || pollOnce) {
      pollOnce = false;
      try {
        await poll();
        failures = 0;
      } catch (error) {
        if (signal.aborted) break;
        failures++;
        await parameters.deliver({ type: 'error', chainId, error: error as Error });
      }
    }
    try {
      await sleep(failures > 0 ? Math.min(pollingIntervalMs * 2 ** failures, 30_000) : pollingIntervalMs, signal);
    } catch {
      break;
    }
  }
  await subscription;
  if (active > 0) await new Promise<void>((resolve) => (idle = resolve));
}

function visit(frame: CallFrame, fn: (frame: CallFrame) => void): void {
  fn(frame);
  for (const call of frame.calls) visit(call, fn);
}

/** Whether a simulated transaction creates a contract (a successful CREATE or CREATE2 frame). */
function createsContract(frame: CallFrame): boolean {
  if (frame.error) return false;
  if ((frame.type === 'CREATE' || frame.type === 'CREATE2') && frame.to) return true;
  return frame.calls.some(createsContract);
}
