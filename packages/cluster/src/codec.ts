/*
 * Messages on the streams are JSON; bigints (block numbers, values, fees) travel as {"$n": "…"}.
 */

export function encodeMessage(value: unknown): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify(value, (_key, item) => (typeof item === 'bigint' ? { $n: item.toString() } : item)),
  );
}

export function decodeMessage<T>(data: Uint8Array): T {
  return JSON.parse(new TextDecoder().decode(data), (_key, item) =>
    item !== null && typeof item === 'object' && typeof item.$n === 'string' && Object.keys(item).length === 1
      ? BigInt(item.$n)
      : item,
  ) as T;
}
