import type { RpcPool } from '@bulwark/chain';
import { type Address, getAddress, type Hex } from 'viem';

/** What the chain says about an address a signature or an approval trusts. */
export type AccountInfo = {
  address: Address;
  /** `account`: no code (a plain key holder); `delegated`: an EIP-7702 account pointing at code. */
  kind: 'account' | 'contract' | 'delegated';
  /** First block with code (binary search over history); undefined for accounts or when the node keeps no history. */
  createdBlock: bigint | undefined;
  /** Unix seconds of `createdBlock`. */
  createdAt: bigint | undefined;
  /** Whole days between creation and the head block. */
  ageDays: number | undefined;
};

/** Contracts younger than this many days count as fresh (drainer contracts are days old). */
export const freshContractDays = 30;

type RpcBlock = { number: Hex; timestamp: Hex };

/** The head block, read once per command so every age is measured against the same time. */
export async function readHead(pool: RpcPool): Promise<{ number: bigint; timestamp: bigint }> {
  const block = await pool.request<RpcBlock>('eth_getBlockByNumber', ['latest', false]);
  return { number: BigInt(block.number), timestamp: BigInt(block.timestamp) };
}

/**
 * Reads the code at `address` and, for contracts, finds the block that created it by a binary
 * search over `eth_getCode` at past blocks (about log2(head) calls; needs a node that serves old
 * state, as archive nodes and anvil do). A node that refuses old state leaves the age unknown.
 */
export async function getAccountInfo(
  pool: RpcPool,
  address: Address,
  head: { number: bigint; timestamp: bigint },
): Promise<AccountInfo> {
  const checksummed = getAddress(address);
  const code = await pool.request<Hex>('eth_getCode', [checksummed, toQuantity(head.number)]);
  if (code === '0x' || code === '0x0') {
    return { address: checksummed, kind: 'account', createdBlock: undefined, createdAt: undefined, ageDays: undefined };
  }
  const kind = code.toLowerCase().startsWith('0xef0100') ? 'delegated' : 'contract';
  let createdBlock: bigint | undefined;
  try {
    let low = 0n;
    let high = head.number;
    while (low < high) {
      const middle = (low + high) / 2n;
      const past = await pool.request<Hex>('eth_getCode', [checksummed, toQuantity(middle)]);
      if (past === '0x' || past === '0x0') low = middle + 1n;
      else high = middle;
    }
    createdBlock = low;
  } catch {
    createdBlock = undefined;
  }
  if (createdBlock === undefined)
    return { address: checksummed, kind, createdBlock, createdAt: undefined, ageDays: undefined };
  const block = await pool.request<RpcBlock>('eth_getBlockByNumber', [toQuantity(createdBlock), false]);
  const createdAt = BigInt(block.timestamp);
  const ageDays = Number((head.timestamp - createdAt) / 86_400n);
  return { address: checksummed, kind, createdBlock, createdAt, ageDays };
}

export const toQuantity = (value: bigint): Hex => `0x${value.toString(16)}`;

/** One line on what the chain said, for findings and reports. */
export function describeAccount(info: AccountInfo): string {
  if (info.kind === 'account') return 'a plain account (no code): whoever holds its key can use what it is given';
  const what = info.kind === 'delegated' ? 'an EIP-7702 delegated account' : 'a contract';
  if (info.ageDays === undefined) return `${what} (creation age unknown: the node keeps no old state)`;
  return `${what} created ${info.ageDays} day(s) ago (block ${info.createdBlock})`;
}

export const isFresh = (info: AccountInfo) =>
  info.kind !== 'account' && info.ageDays !== undefined && info.ageDays < freshContractDays;
