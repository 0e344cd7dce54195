import { describe, expect, it } from 'vitest';
import { validate } from './json-schema.ts';

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'tags'],
  properties: {
    name: { type: 'string', pattern: '^[a-z]+$' },
    tags: { type: 'array', uniqueItems: true, minItems: 1, items: { $ref: '#/$defs/tag' } },
    level: { enum: ['error', 'note'] },
    uri: { type: 'string', format: 'uri' },
    count: { type: ['integer', 'null'], minimum: 0 },
  },
  $defs: { tag: { type: 'string' } },
};

describe('validate (test helper)', () => {
  it('default: accepts a valid value', () => {
    expect(validate(schema, { name: 'ok', tags: ['a'], level: 'note', uri: 'https://x.test/a', count: null })).toEqual(
      [],
    );
  });

  it('behavior: reports each violation with its path', () => {
    expect(
      validate(schema, { name: 'NO', tags: ['a', 'a', 3], level: 'warn', uri: 'docs/a.md', count: -1, more: 1 }),
    ).toEqual([
      '/more: not allowed',
      '/name: does not match ^[a-z]+$',
      '/tags: items are not unique',
      '/tags/2: expected string, got number',
      '/level: expected one of ["error","note"], got "warn"',
      "/uri: 'docs/a.md' is not a valid uri",
      '/count: less than 0',
    ]);
    expect(validate(schema, {})).toEqual([
      "/: missing required property 'name'",
      "/: missing required property 'tags'",
    ]);
  });

  it('error: an unsupported keyword throws instead of passing', () => {
    expect(() => validate({ type: 'string', maxLength: 3 }, 'abcd')).toThrow(/maxLength/);
  });
});
