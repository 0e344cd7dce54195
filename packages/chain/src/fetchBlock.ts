import type { Hex } from 'viem';
import type { CapabilityTracker } from './capabilities.ts';
import { ChainReorgedError } from './errors.ts';
import { readFlatTraces } from './flatTraces.ts';
import {
  normalizeBlock,
  normalizeCallFrame,
  type RpcBlock,
  type RpcCallFrame,
  type RpcReceipt,
  type TraceResult,
} from './normalize.ts';
import type { RpcPool } from './rpcPool.ts';
import type { Block } from './types.ts';

export type FetchBlockParameters = {
  chainId: number;
  /** A block number, or `latest`. */
  number: bigint | 'latest';
  /** What the node can do; updated when a feature turns out missing. */
  capabilities: CapabilityTracker;
  /** Fetch call traces; default true. Off when the node lacks them (then `block.traced` is false). */
  traces?: boolean | undefined;
  /**
   * Called once the block and its receipts are in, while its traces are still being fetched, with
   * the block untraced (`traced: false`). Tentative: the chain may move before the traces come (the
   * fetch then fails or starts again), so the complete block is the one that counts.
   */
  onReceipts?: ((block: Block) => void) | undefined;
  /** Parallel `eth_getTransactionReceipt` calls when the node has no `eth_getBlockReceipts`; default 8. */
  receiptConcurrency?: number | undefined;
  signal?: AbortSignal | undefined;
};

const hash32 = /^0x[0-9a-fA-F]{64}$/;
const attempts = 3;

/**
 * Fetches one block with its transactions, their receipts and logs, and their call traces
 * (`trace_block`, else `debug_traceBlockByNumber` with callTracer, see `requestTraces`). The three
 * requests go out at once, by number; if
 * the chain moved between them (their hashes disagree) the block is fetched again. The traces take
 * the node longest: `onReceipts` hands over the block with its receipts while they are fetched.
 */
export async function fetchBlock(pool: RpcPool, parameters: FetchBlockParameters): Promise<Block> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetchOnce(pool, parameters);
    } catch (error) {
      if (!(error instanceof ChainReorgedError) || attempt >= attempts) throw error;
    }
  }
}

async function fetchOnce(pool: RpcPool, parameters: FetchBlockParameters): Promise<Block> {
  const { capabilities, signal } = parameters;
  // `latest` is resolved first so that receipts and traces ask for the same height.
  const tag =
    parameters.number === 'latest'
      ? BigInt(await pool.request<Hex>('eth_blockNumber', [], { signal, validate: validateQuantity }))
      : parameters.number;
  const number: Hex = `0x${tag.toString(16)}`;
  const options = { signal };

  const blockRequest = pool.request<RpcBlock>('eth_getBlockByNumber', [number, true], {
    ...options,
    validate: (result) => validateBlock(result, tag),
  });
  const receiptsRequest = capabilities.use('blockReceipts', () =>
    pool.request<RpcReceipt[]>('eth_getBlockReceipts', [number], { ...options, validate: validateReceipts }),
  );
  const tracesRequest = parameters.traces === false ? undefined : requestTraces(pool, capabilities, number, signal);
  try {
    const [block, receipts] = await blockWithReceipts(pool, parameters, tag, blockRequest, receiptsRequest);
    if (tracesRequest === undefined) return normalizeBlock(parameters.chainId, block, receipts, undefined);
    if (parameters.onReceipts && capabilities.get('traces') !== 'missing') {
      parameters.onReceipts(normalizeBlock(parameters.chainId, block, receipts, undefined));
    }
    const raw = await tracesRequest;
    const transactions = block.transactions as { hash: Hex }[];
    const traces =
      raw === undefined
        ? undefined
        : raw.flat
          ? readFlatTraces(
              raw.flat,
              { number: tag, hash: block.hash },
              transactions.map((tx, i) => ({ hash: tx.hash, gasUsed: receipts[i]!.gasUsed })),
            )
          : readTraces(raw.tree, transactions, tag);
    return normalizeBlock(parameters.chainId, block, receipts, traces);
  } finally {
    // Settled before returning or throwing, so no request is left running unobserved.
    await tracesRequest?.catch(() => {});
  }
}

/**
 * The block's traces: from `trace_block` where the node has it (it answers from what it kept), else
 * from `debug_traceBlockByNumber` with callTracer (which re-executes the block); undefined when
 * the node has neither.
 */
async function requestTraces(
  pool: RpcPool,
  capabilities: CapabilityTracker,
  number: Hex,
  signal: AbortSignal | undefined,
): Promise<{ flat: unknown[]; tree?: undefined } | { tree: unknown[]; flat?: undefined } | undefined> {
  const validate = (result: unknown) => (Array.isArray(result) ? undefined : 'the traces are not an array.');
  const flat = await capabilities.use('flatTraces', () =>
    pool.request<unknown[]>('trace_block', [number], { signal, validate }),
  );
  if (flat !== undefined) {
    capabilities.set('traces', 'available');
    return { flat };
  }
  const tree = await capabilities.use('traces', () =>
    pool.request<unknown[]>('debug_traceBlockByNumber', [number, { tracer: 'callTracer' }], { signal, validate }),
  );
  return tree === undefined ? undefined : { tree };
}

/** The block and its receipts (from `eth_getBlockReceipts`, else one by one), checked to belong together. */
async function blockWithReceipts(
  pool: RpcPool,
  parameters: FetchBlockParameters,
  tag: bigint,
  blockRequest: Promise<RpcBlock>,
  receiptsRequest: Promise<RpcReceipt[] | undefined>,
): Promise<[RpcBlock, RpcReceipt[]]> {
  const [blockResult, receiptsResult] = await Promise.allSettled([blockRequest, receiptsRequest]);
  if (blockResult.status === 'rejected') throw blockResult.reason;
  if (receiptsResult.status === 'rejected') throw receiptsResult.reason;
  const block = blockResult.value;
  const transactions = block.transactions as { hash: Hex }[];
  const receipts =
    receiptsResult.value ??
    (await mapLimited(transactions, parameters.receiptConcurrency ?? 8, (tx) =>
      pool.request<RpcReceipt>('eth_getTransactionReceipt', [tx.hash], {
        signal: parameters.signal,
        validate: (result) => (isObject(result) ? undefined : `no receipt for ${tx.hash}.`),
      }),
    ));
  if (receipts.length !== transactions.length) {
    throw new ChainReorgedError(
      `Block ${tag}: ${transactions.length} transactions but ${receipts.length} receipts (the chain moved).`,
      { number: tag },
    );
  }
  for (let i = 0; i < receipts.length; i++) {
    const receipt = receipts[i]!;
    if (receipt.transactionHash !== transactions[i]!.hash || receipt.blockHash !== block.hash) {
      throw new ChainReorgedError(`Block ${tag}: receipt ${i} is not of ${block.hash} (the chain moved).`, {
        number: tag,
      });
    }
  }
  return [block, receipts];
}

/** geth and anvil: `[{ txHash?, result } | { txHash?, error }]`, one per transaction in block order. */
function readTraces(raw: unknown[], transactions: { hash: Hex }[], number: bigint): TraceResult[] {
  if (raw.length !== transactions.length) {
    throw new ChainReorgedError(
      `Block ${number}: ${transactions.length} transactions but ${raw.length} traces (the chain moved).`,
      { number },
    );
  }
  return raw.map((entry, index) => {
    const item = entry as { txHash?: Hex; result?: RpcCallFrame; error?: string };
    if (item.txHash && item.txHash !== transactions[index]!.hash) {
      throw new ChainReorgedError(`Block ${number}: trace ${index} is of another transaction (the chain moved).`, {
        number,
      });
    }
    if (item.error !== undefined || !isObject(item.result)) {
      return { trace: undefined, error: item.error ?? 'the node returned no trace' };
    }
    return { trace: normalizeCallFrame(item.result), error: undefined };
  });
}

function validateQuantity(result: unknown): string | undefined {
  return typeof result === 'string' && /^0x[0-9a-fA-F]+$/.test(result) ? undefined : 'not a hex quantity.';
}

function validateBlock(result: unknown, number: bigint): string | undefined {
  if (result === null) return `block ${number} is not there (the node is behind the others?).`;
  if (!isObject(result)) return 'the block is not an object.';
  const block = result as Partial<RpcBlock>;
  if (typeof block.number !== 'string' || validateQuantity(block.number) || BigInt(block.number) !== number) {
    return `asked for block ${number}, got ${String(block.number)}.`;
  }
  if (typeof block.hash !== 'string' || !hash32.test(block.hash)) return 'the block hash is not a 32-byte hash.';
  if (typeof block.parentHash !== 'string' || !hash32.test(block.parentHash)) {
    return 'the parent hash is not a 32-byte hash.';
  }
  if (typeof block.timestamp !== 'string' || validateQuantity(block.timestamp))
    return 'the timestamp is not a quantity.';
  if (!Array.isArray(block.transactions)) return 'the block has no transaction list.';
  for (const tx of block.transactions) {
    if (!isObject(tx) || typeof (tx as { hash?: unknown }).hash !== 'string') {
      return 'the transactions are not full transaction objects.';
    }
  }
  return undefined;
}

function validateReceipts(result: unknown): string | undefined {
  if (!Array.isArray(result)) return 'the receipts are not an array.';
  for (const receipt of result) {
    if (!isObject(receipt) || typeof (receipt as RpcReceipt).transactionHash !== 'string') {
      return 'a receipt has no transaction hash.';
    }
    if (!Array.isArray((receipt as RpcReceipt).logs)) return 'a receipt has no log list.';
  }
  return undefined;
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `Promise.all(items.map(fn))` with at most `limit` calls in flight, results in input order. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
