import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { allDetectors } from './detectors/index.ts';
import { detectorIndex, detectorPage } from './docs.ts';

const docs = fileURLToPath(new URL('../../../docs/detectors/', import.meta.url));

describe('detector docs', () => {
  test('default: every detector has a unique id, a page, and the pages match the metadata', () => {
    const ids = allDetectors.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(allDetectors.length).toBeGreaterThanOrEqual(40);
    const stale = allDetectors.filter((d) => {
      const file = `${docs}${d.id}.md`;
      return !existsSync(file) || readFileSync(file, 'utf8') !== detectorPage(d);
    });
    // Regenerate with `npm run docs`.
    expect(stale.map((d) => d.id)).toEqual([]);
    expect(readFileSync(`${docs}README.md`, 'utf8')).toBe(detectorIndex(allDetectors));
  });
});
