import { InputError } from '@bulwark/core';
import { type Address, getAddress, type Hex, isAddress, isHex } from 'viem';

/**
 * What `bulwark wallet preview` simulates. Without `safe`: a transaction `from` sends to `to`.
 * With `safe`: a Safe transaction the Safe at `safe` executes (`operation` 0 call, 1 delegatecall);
 * `from` is the owner or service proposing it. `value` in wei, as a decimal string, a number, or hex.
 */
export type PreviewRequest = {
  chainId: number;
  from: Address;
  to: Address;
  value: bigint;
  data: Hex;
  operation: 0 | 1;
  safe: Address | undefined;
};

const known = new Set(['chainId', 'from', 'to', 'value', 'data', 'operation', 'safe']);

/** Validates a request object (parsed JSON); errors name the field and the fix. */
export function parsePreviewRequest(value: unknown, where = 'The request'): PreviewRequest {
  const fail = (message: string): never => {
    throw new InputError(`${where}: ${message}`, {
      docsPath: 'wallet/signers.md#preview',
      metaMessages: [
        'Shape: {"chainId": 1, "from": "0x…", "to": "0x…", "value": "0", "data": "0x", "operation": 0, "safe": "0x…"}',
      ],
    });
  };
  if (!value || typeof value !== 'object' || Array.isArray(value)) return fail('is not a JSON object.');
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) if (!known.has(key)) fail(`unknown field \`${key}\`.`);
  const { chainId } = record;
  if (typeof chainId !== 'number' || !Number.isSafeInteger(chainId) || chainId <= 0)
    fail('`chainId` must be a positive integer.');
  const address = (field: string, required: boolean): Address | undefined => {
    const raw = record[field];
    if (raw === undefined && !required) return undefined;
    if (typeof raw !== 'string' || !isAddress(raw, { strict: false })) return fail(`\`${field}\` is not an address.`);
    return getAddress(raw);
  };
  let amount = 0n;
  const raw = record.value;
  if (raw !== undefined) {
    try {
      if (typeof raw === 'number' && !Number.isSafeInteger(raw)) throw new Error('unsafe');
      if (typeof raw !== 'string' && typeof raw !== 'number') throw new Error('type');
      amount = BigInt(raw);
    } catch {
      fail('`value` must be wei as a decimal string, a safe integer, or 0x hex.');
    }
    if (amount < 0n) fail('`value` is negative.');
  }
  const data = record.data ?? '0x';
  if (typeof data !== 'string' || !isHex(data) || data.length % 2 !== 0) fail('`data` is not 0x-prefixed hex bytes.');
  const operation = record.operation ?? 0;
  if (operation !== 0 && operation !== 1) fail('`operation` must be 0 (call) or 1 (delegatecall).');
  const safe = address('safe', false);
  if (operation === 1 && !safe)
    fail('`operation` 1 (delegatecall) needs `safe`: only a Safe transaction can delegatecall.');
  return {
    chainId: chainId as number,
    from: address('from', true)!,
    to: address('to', true)!,
    value: amount,
    data: data as Hex,
    operation: operation as 0 | 1,
    safe,
  };
}
