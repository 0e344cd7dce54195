import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { outflowSpikeRule } from './baseline/outflow-spike.ts';
import { ruleIndex, rulePage } from './docs.ts';
import { allRules } from './index.ts';

const docs = fileURLToPath(new URL('../../../../docs/monitor/rules/', import.meta.url));

describe('rule docs', () => {
  test('default: every rule has a page, the pages match the metadata, and no page outlives its rule', () => {
    const stale = allRules.filter((rule) => {
      const file = `${docs}${rule.id}.md`;
      return !existsSync(file) || readFileSync(file, 'utf8') !== rulePage(rule);
    });
    // Regenerate with `bulwark docs-gen`.
    expect(stale.map((rule) => rule.id)).toEqual([]);
    expect(readFileSync(`${docs}README.md`, 'utf8')).toBe(ruleIndex(allRules));
    const pages = readdirSync(docs).filter((file) => file.endsWith('.md') && file !== 'README.md');
    expect(pages.sort()).toEqual(allRules.map((rule) => `${rule.id}.md`).sort());
  });

  test('behavior: a page lists every parameter with its default and range, and how to set it', () => {
    const page = rulePage(outflowSpikeRule);
    expect(page).toContain('| Family | outflow');
    expect(page).toContain('| `minSamples` | 20 | ≥ 2 |');
    expect(page).toContain('| `minPeakShare` | 0.0001 | 0 to 1 |');
    expect(page).toContain('`rules.outflow-spike.minSamples`');
    expect(page).toContain('`contracts[].rules.outflow-spike.minSamples`');
    expect(page).toContain('{ "rules": { "outflow-spike": { "enabled": false } } }');
  });

  test('behavior: a rule without a family or parameters says so', () => {
    const bare = { ...outflowSpikeRule, family: undefined, parameters: {} };
    const page = rulePage(bare);
    expect(page).not.toContain('| Family |');
    expect(page).toContain('## Parameters\nNone.\n');
    expect(page).not.toContain('`contracts[].rules.');
    expect(page).toContain('`rules.outflow-spike.enabled`');
  });
});
