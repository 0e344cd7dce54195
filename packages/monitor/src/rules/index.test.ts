import { describe, expect, test } from 'vitest';
import { allRules } from './index.ts';

describe('rule registry', () => {
  test('behavior: ids are unique, and each rule lives in a file named by its id under its category', async () => {
    const ids = allRules.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of allRules) {
      const module = (await import(`./${rule.category}/${rule.id}.ts`)) as Record<string, unknown>;
      expect(Object.values(module)).toContain(rule);
    }
  });
});
