/**
 * JSON text in which bigints (wei amounts, block numbers) are decimal strings: JSON.stringify
 * throws on them, and a Number would lose precision.
 */
export function jsonText(value: unknown, space?: number): string {
  return JSON.stringify(
    value ?? null,
    (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item),
    space,
  );
}
