import type { Address, Hex } from 'viem';

/*
 * The normalised shapes the chain package hands to the monitor. Quantities are bigints, addresses
 * and hashes lower-case hex (compare them as strings, no checksumming on the hot path).
 */

/** A block by number and hash: what checkpoints, reorg events and the recent-block window hold. */
export type BlockRef = { number: bigint; hash: Hex };

/** Where a chain's sync stopped: the last block whose events the consumer processed. */
export type Checkpoint = BlockRef & {
  /**
   * Hashes of the blocks just below `number`, newest first (up to `checkpointDepth`), so that a
   * reorg during downtime is located when the sync resumes. A store may drop them; the sync then
   * reports such a reorg as `deep`.
   */
  ancestors?: Hex[] | undefined;
};

/** Keeps one checkpoint per chain. `@bulwark/store` implements it; `createMemoryCheckpointStore` for tests. */
export type CheckpointStore = {
  get(chainId: number): Promise<Checkpoint | undefined>;
  set(chainId: number, checkpoint: Checkpoint): Promise<void>;
};

export type Block = BlockRef & {
  chainId: number;
  parentHash: Hex;
  timestamp: bigint;
  miner: Address;
  gasUsed: bigint;
  gasLimit: bigint;
  baseFeePerGas: bigint | undefined;
  /** In block order, each with its receipt and (when the node traces) its call tree. */
  transactions: Tx[];
  /** Every log of the block, in log-index order (the receipts' logs, joined). */
  logs: Log[];
  /** Whether `transactions[].trace` was fetched; false when the node cannot trace (see `Capabilities`). */
  traced: boolean;
  /**
   * When the live sync learned the chain had reached this block (a newHeads message or a poll),
   * epoch milliseconds; latency is measured from it. Undefined for backfilled blocks.
   */
  seenAt?: number | undefined;
  /** When the live sync had fetched it (block, receipts, traces) and handed it on, epoch milliseconds. */
  fetchedAt?: number | undefined;
};

export type Tx = {
  hash: Hex;
  blockNumber: bigint;
  blockHash: Hex;
  index: number;
  type: string;
  from: Address;
  /** `null` for a contract creation. */
  to: Address | null;
  value: bigint;
  input: Hex;
  nonce: bigint;
  gas: bigint;
  gasPrice: bigint | undefined;
  maxFeePerGas: bigint | undefined;
  maxPriorityFeePerGas: bigint | undefined;
  receipt: Receipt;
  /** The call tree (callTracer); undefined when the block was not traced or this transaction's trace failed. */
  trace: CallFrame | undefined;
  /** Why the node could not trace this transaction, when it traced the rest of the block. */
  traceError: string | undefined;
};

export type Receipt = {
  /** Whether the transaction succeeded: judge success by this, never by the trace or the absence of an error. */
  status: 'success' | 'reverted';
  gasUsed: bigint;
  cumulativeGasUsed: bigint;
  effectiveGasPrice: bigint;
  contractAddress: Address | null;
  logs: Log[];
};

export type Log = {
  address: Address;
  topics: Hex[];
  data: Hex;
  logIndex: number;
  transactionIndex: number;
  transactionHash: Hex;
  blockNumber: bigint;
  blockHash: Hex;
};

export type CallType =
  | 'CALL'
  | 'CALLCODE'
  | 'DELEGATECALL'
  | 'STATICCALL'
  | 'CREATE'
  | 'CREATE2'
  | 'SELFDESTRUCT'
  | (string & {});

/** One frame of geth's callTracer output: the transaction is the root, internal calls are `calls`. */
export type CallFrame = {
  type: CallType;
  from: Address;
  /** The callee, or the created contract; undefined for a failed creation. */
  to: Address | undefined;
  /** Ether moved by this frame; 0n where the call type moves none (STATICCALL, DELEGATECALL). */
  value: bigint;
  gas: bigint;
  gasUsed: bigint;
  input: Hex;
  output: Hex | undefined;
  /** Set when this frame reverted or failed (the transaction may still succeed). */
  error: string | undefined;
  revertReason: string | undefined;
  calls: CallFrame[];
  /**
   * Logs the frame emitted, where the trace was asked for them (pending transactions, whose logs
   * no receipt holds yet). A reverted frame's logs are discarded by the chain.
   */
  logs?: FrameLog[] | undefined;
};

export type FrameLog = { address: Address; topics: Hex[]; data: Hex };

/** A transaction seen in the mempool, before inclusion. */
export type PendingTx = {
  hash: Hex;
  from: Address;
  to: Address | null;
  value: bigint;
  input: Hex;
  nonce: bigint;
  gas: bigint;
  gasPrice: bigint | undefined;
  maxFeePerGas: bigint | undefined;
  maxPriorityFeePerGas: bigint | undefined;
};

/** A feature of the node the sync probes once; `unknown` until first used. */
export type FeatureState = 'available' | 'missing' | 'unknown';

export type Capabilities = {
  /** A block's call traces: `trace_block` where the node has it, else `debug_traceBlockByNumber` with callTracer. */
  traces: FeatureState;
  /** `eth_getBlockReceipts` (else one `eth_getTransactionReceipt` per transaction: slower, same data). */
  blockReceipts: FeatureState;
  /** `debug_traceCall` with callTracer, for pending transactions. */
  traceCall: FeatureState;
  /** Features missing, by name. */
  missing: string[];
  /** What the monitor cannot see because of what is missing: coverage ids and what they mean. */
  lostCoverage: LostCoverage[];
};

export type LostCoverage = { id: string; description: string; because: string };

export type ChainEvent =
  | { type: 'block'; chainId: number; block: Block }
  | {
      /**
       * A live block with its receipts and logs, while its call traces are still being fetched
       * (`receiptsFirst`): the same block follows as `block` once traced, unless the chain moved
       * meanwhile. Tentative: act on it only where acting twice is harmless; record from `block`.
       */
      type: 'block-receipts';
      chainId: number;
      block: Block;
    }
  | {
      type: 'reorg';
      chainId: number;
      /** The newest block both chains share; blocks above it that were emitted are dropped. */
      commonAncestor: BlockRef;
      /** The emitted blocks that are no longer canonical, oldest first. Retract what came from them. */
      dropped: BlockRef[];
      /**
       * True when the fork point lies beyond the blocks the sync remembers (a reorg deeper than its
       * window, or during downtime beyond the checkpoint's ancestors): `commonAncestor` is then the
       * node's block below the oldest remembered one, not verified, and blocks processed before it
       * may have changed too: re-check what came from them by block hash.
       */
      deep: boolean;
    }
  | {
      type: 'gap-filled';
      chainId: number;
      /** First and last block fetched in one catch-up (after a restart, a dropped connection or a slow poll). */
      from: bigint;
      to: bigint;
    }
  | {
      type: 'pending';
      chainId: number;
      tx: PendingTx;
      /** The call tree of the transaction simulated on the latest block; undefined when the node cannot trace. */
      trace: CallFrame | undefined;
      /** Watched addresses the transaction touches (as sender, recipient or anywhere in its call tree). */
      touched: Address[];
    }
  | { type: 'capabilities'; chainId: number; capabilities: Capabilities }
  | { type: 'error'; chainId: number; error: Error };

export type ChainEventType = ChainEvent['type'];
