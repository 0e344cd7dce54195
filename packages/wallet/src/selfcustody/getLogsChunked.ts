import type { RpcPool } from '@bulwark/chain';
import { BaseError } from '@bulwark/core';
import { type Address, type Hex, pad } from 'viem';
import { toQuantity } from './accountInfo.ts';

export type RpcLog = {
  address: Address;
  topics: Hex[];
  data: Hex;
  blockNumber: Hex;
  transactionHash: Hex;
  logIndex: Hex;
};

export type GetLogsChunkedParameters = {
  address?: Address | Address[] | undefined;
  topics: (Hex | Hex[] | null)[];
  fromBlock: bigint;
  toBlock: bigint;
  /** Blocks per request at first; halved when a node refuses a range (too many results), doubled back after successes. Default 10,000. */
  chunkSize?: bigint | undefined;
};

export class LogRangeError extends BaseError {
  override name = 'LogRangeError';
}

/**
 * Reads logs over a block range in chunks, through the pool (which retries and fails over).
 * Providers cap eth_getLogs by range or result count; a refused chunk is split in two until it
 * passes, so one busy block range does not fail the whole read.
 */
export async function getLogsChunked(pool: RpcPool, parameters: GetLogsChunkedParameters): Promise<RpcLog[]> {
  const logs: RpcLog[] = [];
  const maximum = parameters.chunkSize ?? 10_000n;
  let size = maximum;
  let from = parameters.fromBlock;
  while (from <= parameters.toBlock) {
    const to = from + size - 1n > parameters.toBlock ? parameters.toBlock : from + size - 1n;
    try {
      const chunk = await pool.request<RpcLog[]>('eth_getLogs', [
        {
          ...(parameters.address ? { address: parameters.address } : {}),
          topics: parameters.topics,
          fromBlock: toQuantity(from),
          toBlock: toQuantity(to),
        },
      ]);
      logs.push(...chunk);
      from = to + 1n;
      if (size < maximum) size *= 2n;
    } catch (cause) {
      if (size === 1n) {
        throw new LogRangeError(`eth_getLogs failed for block ${from} even alone.`, {
          cause,
          metaMessages: ['Try another --rpc endpoint or a later --from-block.'],
          retryable: true,
        });
      }
      size /= 2n;
    }
  }
  return logs;
}

/** An address as an indexed event topic (left-padded to 32 bytes). */
export const addressTopic = (address: Address): Hex => pad(address.toLowerCase() as Hex, { size: 32 });
