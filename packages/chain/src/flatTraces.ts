import type { Hex } from 'viem';
import { ChainReorgedError } from './errors.ts';
import type { RpcCallFrame, TraceResult } from './normalize.ts';
import { normalizeCallFrame } from './normalize.ts';

/*
 * `trace_block` (the "parity" trace module of Erigon, Nethermind, reth and anvil): every call of a
 * block as a flat list, each frame placed by its `traceAddress` (its path of child indexes from the
 * transaction's root). Read into the same call trees as geth's callTracer gives, so the rules see
 * one shape whichever the node answered. Nodes that keep these traces answer from them at once;
 * callTracer re-executes the block (on anvil, seconds for a block of a hundred transactions).
 */

/** One entry of `trace_block`. */
type FlatTrace = {
  type: 'call' | 'create' | 'suicide' | 'reward' | string;
  action: {
    callType?: string;
    from?: Hex;
    to?: Hex;
    gas?: Hex;
    input?: Hex;
    value?: Hex;
    init?: Hex;
    creationMethod?: string;
    address?: Hex;
    refundAddress?: Hex;
    balance?: Hex;
  };
  result?: { gasUsed?: Hex; output?: Hex; address?: Hex; code?: Hex } | null;
  error?: string;
  traceAddress: number[];
  transactionHash?: Hex | null;
  blockHash?: Hex;
};

/** Call types that move no ether of their own (callTracer reports none for them). */
const valueless = new Set(['delegatecall', 'staticcall']);

/**
 * The call tree of each transaction from a block's flat traces, in block order. Each root frame's
 * gas used is its receipt's, as callTracer reports it (the flat trace leaves out the intrinsic gas).
 */
export function readFlatTraces(
  raw: unknown[],
  block: { number: bigint; hash: Hex },
  transactions: readonly { hash: Hex; gasUsed: Hex }[],
): TraceResult[] {
  const byTx = new Map<string, FlatTrace[]>();
  for (const entry of raw) {
    const trace = entry as FlatTrace;
    // Block and uncle rewards (proof-of-work chains) belong to no transaction.
    if (!trace.transactionHash) continue;
    if (trace.blockHash && trace.blockHash !== block.hash) {
      throw new ChainReorgedError(`Block ${block.number}: a trace is of block ${trace.blockHash} (the chain moved).`, {
        number: block.number,
      });
    }
    const list = byTx.get(trace.transactionHash) ?? [];
    list.push(trace);
    byTx.set(trace.transactionHash, list);
  }
  const known = new Set(transactions.map((tx) => tx.hash));
  for (const hash of byTx.keys()) {
    if (!known.has(hash as Hex)) {
      throw new ChainReorgedError(
        `Block ${block.number}: a trace is of transaction ${hash}, not in it (the chain moved).`,
        {
          number: block.number,
        },
      );
    }
  }
  return transactions.map((tx) => {
    const traces = byTx.get(tx.hash);
    const root = traces ? tree(traces) : undefined;
    if (!root) return { trace: undefined, error: 'the node returned no trace' };
    return { trace: normalizeCallFrame({ ...root, gasUsed: tx.gasUsed }), error: undefined };
  });
}

/** The frames of one transaction as a tree (callTracer's shape), or undefined without a root. */
function tree(traces: readonly FlatTrace[]): RpcCallFrame | undefined {
  const frames = new Map<string, RpcCallFrame>();
  // Parents come before their children in the list, but place by path regardless of order.
  const sorted = [...traces].sort((a, b) => comparePaths(a.traceAddress, b.traceAddress));
  for (const trace of sorted) {
    const frame = callFrame(trace);
    const path = trace.traceAddress;
    frames.set(path.join('.'), frame);
    if (path.length === 0) continue;
    const parent = frames.get(path.slice(0, -1).join('.'));
    if (!parent) return undefined;
    const calls = parent.calls ?? [];
    calls.push(frame);
    parent.calls = calls;
  }
  return frames.get('');
}

function comparePaths(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** One flat trace as a callTracer frame (without its children). */
function callFrame(trace: FlatTrace): RpcCallFrame {
  const { action, result } = trace;
  // callTracer's words for a revert; other failures only need to be there.
  const error = trace.error === 'Reverted' ? 'execution reverted' : trace.error;
  if (trace.type === 'create') {
    return {
      type: action.creationMethod?.toLowerCase() === 'create2' ? 'CREATE2' : 'CREATE',
      from: action.from!,
      to: error ? undefined : result?.address,
      value: action.value,
      gas: action.gas,
      gasUsed: result?.gasUsed,
      input: action.init,
      output: nonEmpty(result?.code),
      error,
    };
  }
  if (trace.type === 'suicide') {
    return {
      type: 'SELFDESTRUCT',
      from: action.address!,
      to: action.refundAddress,
      value: action.balance,
      input: '0x',
      error,
    };
  }
  const callType = action.callType ?? 'call';
  return {
    type: callType.toUpperCase(),
    from: action.from!,
    to: action.to,
    value: valueless.has(callType) ? '0x0' : action.value,
    gas: action.gas,
    gasUsed: result?.gasUsed,
    input: action.input,
    output: nonEmpty(result?.output),
    error,
  };
}

/** callTracer leaves out an empty output. */
const nonEmpty = (data: Hex | undefined) => (data && data !== '0x' ? data : undefined);
