import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ALERT_SEVERITIES, alertToJson, retractionOf } from './alert.ts';
import { sampleAlert } from './testing.ts';

type Schema = {
  type?: string;
  required?: string[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean;
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  minimum?: number;
  format?: string;
};

/** A tiny validator for exactly the draft 2020-12 keywords alert.schema.json uses. */
function validate(schema: Schema, value: unknown, path = '$'): string[] {
  const errors: string[] = [];
  const actual = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  if (schema.type) {
    const ok =
      schema.type === 'integer' ? typeof value === 'number' && Number.isInteger(value) : actual === schema.type;
    if (!ok) return [`${path}: expected ${schema.type}, got ${actual}`];
  }
  if (schema.enum && !schema.enum.includes(value)) errors.push(`${path}: not in enum`);
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) errors.push(`${path}: too short`);
    if (schema.pattern && !new RegExp(schema.pattern, 'u').test(value)) errors.push(`${path}: pattern mismatch`);
    if (schema.format === 'date-time' && Number.isNaN(Date.parse(value))) errors.push(`${path}: not a date-time`);
  }
  if (typeof value === 'number' && schema.minimum !== undefined && value < schema.minimum) {
    errors.push(`${path}: below minimum`);
  }
  if (actual === 'object') {
    const object = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!(key in object)) errors.push(`${path}.${key}: required`);
    for (const [key, child] of Object.entries(object)) {
      const childSchema = schema.properties?.[key];
      if (childSchema) errors.push(...validate(childSchema, child, `${path}.${key}`));
      else if (schema.additionalProperties === false) errors.push(`${path}.${key}: not allowed`);
    }
  }
  return errors;
}

const schema = JSON.parse(await readFile(new URL('./alert.schema.json', import.meta.url), 'utf8')) as Schema & {
  $schema: string;
};

describe('alert schema', () => {
  it('is draft 2020-12 and lists every severity', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.properties?.severity.enum).toEqual([...ALERT_SEVERITIES]);
  });

  it('accepts a sample alert round-tripped through JSON', () => {
    const json = JSON.parse(alertToJson(sampleAlert({ details: { amount: 10n ** 21n } })));
    expect(json.details.amount).toBe('1000000000000000000000');
    expect(validate(schema, json)).toEqual([]);
    const minimal = sampleAlert();
    delete minimal.txHash;
    delete minimal.incidentId;
    expect(validate(schema, JSON.parse(alertToJson(minimal)))).toEqual([]);
    const retraction = retractionOf(sampleAlert(), { at: '2026-01-02T03:05:00.000Z', reason: 'reorg' });
    expect(validate(schema, JSON.parse(alertToJson(retraction)))).toEqual([]);
  });

  it('rejects malformed alerts', () => {
    const bad = JSON.parse(alertToJson(sampleAlert()));
    bad.severity = 'urgent';
    bad.blockNumber = '0x10';
    bad.chainId = 1.5;
    bad.extra = true;
    delete bad.dedupeKey;
    const errors = validate(schema, bad);
    expect(errors).toEqual(
      expect.arrayContaining([
        '$.severity: not in enum',
        '$.blockNumber: pattern mismatch',
        '$.chainId: expected integer, got number',
        '$.extra: not allowed',
        '$.dedupeKey: required',
      ]),
    );
  });
});
