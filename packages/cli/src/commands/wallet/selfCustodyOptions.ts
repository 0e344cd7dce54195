import { createRpcPool, type RpcPool } from '@bulwark/chain';
import { jsonText, UsageError } from '@bulwark/core';
import { type Address, getAddress, isAddress } from 'viem';

/** Options shared by the self-custody commands (check-signature, approvals, poisoning). */

export function parseFormat(value: string | undefined, command: string): 'text' | 'json' {
  const format = value ?? 'text';
  if (format !== 'text' && format !== 'json') {
    throw new UsageError(`--format ${format} is not a format of 'bulwark wallet ${command}'.`, {
      metaMessages: ['Use text or json.'],
    });
  }
  return format;
}

export function parseAddressArgument(value: string | undefined, command: string): Address {
  if (!value)
    throw new UsageError(`'bulwark wallet ${command}' needs an ADDRESS.`, { metaMessages: ['Run with --help.'] });
  if (!isAddress(value, { strict: false })) {
    throw new UsageError(`'${value}' is not an address.`, { metaMessages: ['Give 0x and 40 hex characters.'] });
  }
  return getAddress(value);
}

export function parseBlock(value: string | undefined, flag: string): bigint | undefined {
  if (value === undefined) return undefined;
  if (!/^(0x[0-9a-fA-F]+|\d+)$/.test(value)) {
    throw new UsageError(`${flag} ${value} is not a block number.`, {
      metaMessages: ['Give a decimal or 0x block number.'],
    });
  }
  return BigInt(value);
}

/** One pool per command: chunked log reads and state reads retry across the endpoints given. */
export function openPool(rpc: string | undefined, command: string): RpcPool {
  if (!rpc) {
    throw new UsageError(`'bulwark wallet ${command}' needs --rpc URL.`, {
      metaMessages: ['Give an HTTP JSON-RPC endpoint.'],
    });
  }
  return createRpcPool({ endpoints: rpc.split(',').map((url) => url.trim()) });
}

/** JSON with bigints as decimal strings. */
export const toJson = (value: unknown) => `${jsonText(value, 2)}\n`;
