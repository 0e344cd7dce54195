import { jsonText } from '@bulwark/core';
/**
 * Canonical JSON: keys sorted by code unit, no whitespace, `undefined` dropped as JSON.stringify
 * drops it. A value that went through jsonb and back canonicalises to the same text, which is
 * what lets the audit log re-hash what it reads.
 */
export function canonicalJson(value: unknown): string {
  const json = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    return v;
  });
  if (json === undefined) return 'null';
  return stringifySorted(JSON.parse(json));
}

function stringifySorted(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stringifySorted).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stringifySorted((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** JSON text for a jsonb column; bigints become decimal strings (wei amounts never pass through a JS number). */
export function toJson(value: unknown): string {
  return jsonText(value);
}
