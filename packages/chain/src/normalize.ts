import type { Address, Hex } from 'viem';
import type { Block, CallFrame, Log, PendingTx, Receipt, Tx } from './types.ts';

/*
 * JSON-RPC shapes to the normalised ones. Hex quantities become bigints with the built-in
 * BigInt() (it parses 0x-prefixed hex), addresses lower-case: this runs for every transaction.
 */

export type RpcTransaction = {
  hash: Hex;
  blockNumber?: Hex | null;
  blockHash?: Hex | null;
  transactionIndex?: Hex | null;
  type?: Hex;
  from: Hex;
  to?: Hex | null;
  value: Hex;
  input: Hex;
  nonce: Hex;
  gas: Hex;
  gasPrice?: Hex;
  maxFeePerGas?: Hex;
  maxPriorityFeePerGas?: Hex;
};

export type RpcBlock = {
  number: Hex;
  hash: Hex;
  parentHash: Hex;
  timestamp: Hex;
  miner: Hex;
  gasUsed: Hex;
  gasLimit: Hex;
  baseFeePerGas?: Hex;
  transactions: RpcTransaction[] | Hex[];
};

export type RpcLog = {
  address: Hex;
  topics: Hex[];
  data: Hex;
  logIndex: Hex;
  transactionIndex: Hex;
  transactionHash: Hex;
  blockNumber: Hex;
  blockHash: Hex;
};

export type RpcReceipt = {
  transactionHash: Hex;
  blockHash: Hex;
  status?: Hex;
  gasUsed: Hex;
  cumulativeGasUsed: Hex;
  effectiveGasPrice?: Hex;
  contractAddress?: Hex | null;
  logs: RpcLog[];
};

export type RpcCallFrame = {
  type: string;
  from: Hex;
  to?: Hex;
  value?: Hex;
  gas?: Hex;
  gasUsed?: Hex;
  input?: Hex;
  output?: Hex;
  error?: string;
  revertReason?: string;
  calls?: RpcCallFrame[];
  /** With `tracerConfig.withLog` (pending transactions): the logs the frame emitted. */
  logs?: { address: Hex; topics?: Hex[]; data?: Hex }[];
};

const big = (value: Hex | undefined | null) => (value ? BigInt(value) : 0n);
const optionalBig = (value: Hex | undefined | null) => (value ? BigInt(value) : undefined);
const address = (value: Hex) => value.toLowerCase() as Address;

export function normalizeLog(log: RpcLog): Log {
  return {
    address: address(log.address),
    topics: log.topics,
    data: log.data,
    logIndex: Number(log.logIndex),
    transactionIndex: Number(log.transactionIndex),
    transactionHash: log.transactionHash,
    blockNumber: BigInt(log.blockNumber),
    blockHash: log.blockHash,
  };
}

export function normalizeReceipt(receipt: RpcReceipt): Receipt {
  return {
    // Pre-Byzantium receipts have no status (a state root instead): treat them as succeeded.
    status: receipt.status === undefined || BigInt(receipt.status) === 1n ? 'success' : 'reverted',
    gasUsed: big(receipt.gasUsed),
    cumulativeGasUsed: big(receipt.cumulativeGasUsed),
    effectiveGasPrice: big(receipt.effectiveGasPrice),
    contractAddress: receipt.contractAddress ? address(receipt.contractAddress) : null,
    logs: receipt.logs.map(normalizeLog),
  };
}

export function normalizeCallFrame(frame: RpcCallFrame): CallFrame {
  return {
    type: frame.type.toUpperCase(),
    from: address(frame.from),
    to: frame.to ? address(frame.to) : undefined,
    value: big(frame.value),
    gas: big(frame.gas),
    gasUsed: big(frame.gasUsed),
    input: frame.input ?? '0x',
    output: frame.output,
    error: frame.error,
    revertReason: frame.revertReason,
    calls: (frame.calls ?? []).map(normalizeCallFrame),
    ...(frame.logs
      ? {
          logs: frame.logs.map((log) => ({
            address: address(log.address),
            topics: log.topics ?? [],
            data: log.data ?? '0x',
          })),
        }
      : {}),
  };
}

export function normalizePendingTx(tx: RpcTransaction): PendingTx {
  return {
    hash: tx.hash,
    from: address(tx.from),
    to: tx.to ? address(tx.to) : null,
    value: big(tx.value),
    input: tx.input,
    nonce: big(tx.nonce),
    gas: big(tx.gas),
    gasPrice: optionalBig(tx.gasPrice),
    maxFeePerGas: optionalBig(tx.maxFeePerGas),
    maxPriorityFeePerGas: optionalBig(tx.maxPriorityFeePerGas),
  };
}

export type TraceResult = { trace: CallFrame | undefined; error: string | undefined };

export function normalizeBlock(
  chainId: number,
  block: RpcBlock,
  receipts: RpcReceipt[],
  traces: TraceResult[] | undefined,
): Block {
  const number = BigInt(block.number);
  const transactions: Tx[] = (block.transactions as RpcTransaction[]).map((tx, index) => ({
    ...normalizePendingTx(tx),
    blockNumber: number,
    blockHash: block.hash,
    index,
    type: tx.type ?? '0x0',
    receipt: normalizeReceipt(receipts[index]!),
    trace: traces?.[index]?.trace,
    traceError: traces?.[index]?.error,
  }));
  return {
    chainId,
    number,
    hash: block.hash,
    parentHash: block.parentHash,
    timestamp: BigInt(block.timestamp),
    miner: address(block.miner),
    gasUsed: big(block.gasUsed),
    gasLimit: big(block.gasLimit),
    baseFeePerGas: optionalBig(block.baseFeePerGas),
    transactions,
    logs: transactions.flatMap((tx) => tx.receipt.logs),
    traced: traces !== undefined,
  };
}
