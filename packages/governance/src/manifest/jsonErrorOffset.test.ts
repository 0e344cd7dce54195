import { describe, expect, test } from 'vitest';
import { jsonErrorOffset } from './jsonErrorOffset.ts';

describe('jsonErrorOffset', () => {
  test('default: valid JSON has no error offset', () => {
    for (const text of ['{}', '[]', ' {"a": [1, -2.5e3, true, false, null, "x\\n\\u00e9"]} ', '"s"', '0'])
      expect(jsonErrorOffset(text), text).toBeUndefined();
  });

  test('behavior: the offset of the first error, as JSON.parse sees it', () => {
    const cases: [string, number][] = [
      ['{"a": 1,}', 8],
      ['[1,]', 3],
      ['{a: 1}', 1],
      ['{"a" 1}', 5],
      ['[01]', 2],
      ['{"a": tru}', 9],
      ['"a\tb"', 2],
      ['{"a": 1} x', 9],
      ['{"a": [1, 2', 11],
      ['// comment\n{}', 0],
    ];
    for (const [text, offset] of cases) {
      expect(() => JSON.parse(text), text).toThrow();
      expect(jsonErrorOffset(text), text).toBe(offset);
    }
  });
});
