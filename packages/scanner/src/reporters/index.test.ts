import { UsageError } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import {
  type Format,
  formatJson,
  formatMarkdown,
  formatResult,
  formatSarif,
  formats,
  formatText,
  isFormat,
} from './index.ts';
import { readSource, scanResult } from './test/fixture.ts';

describe('formatResult', () => {
  it('default: the four formats', () => {
    expect(formats).toEqual(['text', 'json', 'sarif', 'markdown']);
  });

  it('behavior: each format is its reporter', () => {
    const result = scanResult();
    expect(formatResult(result, 'json')).toBe(formatJson(result));
    expect(formatResult(result, 'sarif')).toBe(formatSarif(result));
    expect(formatResult(result, 'markdown', { readSource })).toBe(formatMarkdown(result, { readSource }));
    expect(formatResult(result, 'text', { readSource, color: true })).toBe(
      formatText(result, { readSource, color: true }),
    );
  });

  it('behavior: text is uncoloured unless asked', () => {
    expect(formatResult(scanResult(), 'text', { readSource })).not.toContain('\u001b');
  });

  it('behavior: isFormat', () => {
    expect(formats.every(isFormat)).toBe(true);
    expect(isFormat('html')).toBe(false);
  });

  it('error: an unknown format is a usage error that lists the formats', () => {
    expect(() => formatResult(scanResult(), 'html' as Format)).toThrow(UsageError);
    expect(() => formatResult(scanResult(), 'html' as Format)).toThrow(/text, json, sarif, markdown/);
  });
});
