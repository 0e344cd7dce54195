import { InputError } from '@bulwark/core';

/** Chain ids are stored as int8 and handed out as numbers, like viem's. */
export function checkChainId(chainId: number): number {
  if (!Number.isSafeInteger(chainId) || chainId <= 0)
    throw new InputError(`Chain id ${chainId} is not a positive integer.`, { docsPath: 'store.md' });
  return chainId;
}

export function chainIdFromRow(value: bigint | null): number | null {
  return value === null ? null : Number(value);
}

/** Addresses and hashes are kept in lower case, as viem returns them, so equality is plain text equality. */
export function normalizeHex(value: string, what = 'value'): string {
  if (!/^0x[0-9a-fA-F]*$/.test(value)) throw new InputError(`The ${what} "${value}" is not 0x-prefixed hex.`);
  return value.toLowerCase();
}

export function normalizeOptionalHex(value: string | null | undefined, what?: string): string | null {
  return value === null || value === undefined ? null : normalizeHex(value, what);
}

export function checkBlockNumber(value: bigint): bigint {
  if (typeof value !== 'bigint' || value < 0n)
    throw new InputError(`Block number ${value} is not a non-negative bigint.`);
  return value;
}

/** A chain id as the int8 the database compares with. */
export function chainKey(chainId: number): bigint {
  return BigInt(checkChainId(chainId));
}
