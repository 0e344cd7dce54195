import { closest } from '@bulwark/core';
import { describe, expect, test } from 'vitest';
import { parseScanConfig } from './config.ts';
import { globToRegExp } from './scan.ts';

describe('parseScanConfig', () => {
  test('default: a full scan section', () => {
    const config = parseScanConfig(
      {
        scan: {
          exclude: ['shadowing-builtin'],
          ignorePaths: ['test/**'],
          suppress: [{ detector: 'missing-zero-check', file: 'src/*.sol', reason: 'set by governance' }],
          failOn: 'medium',
        },
      },
      'bulwark.config.json',
    );
    expect(config).toMatchObject({ exclude: ['shadowing-builtin'], ignorePaths: ['test/**'], failOn: 'medium' });
    expect(config.suppress).toHaveLength(1);
  });

  test('error: typos name the key and suggest the fix', () => {
    expect(() => parseScanConfig({ scan: { failon: 'high' } }, 'c.json')).toThrow(
      /"scan.failon" is not a known key[\s\S]*did you mean "scan.failOn"/,
    );
    expect(() => parseScanConfig({ scan: { failOn: 'severe' } }, 'c.json')).toThrow(
      /scan.failOn" is "severe"[\s\S]*high", "medium" or "low/,
    );
    expect(() => parseScanConfig({ scan: { exclude: 'x' } }, 'c.json')).toThrow(/must be a list of strings/);
    expect(() => parseScanConfig({ scan: { suppress: [{ detector: 'x' }] } }, 'c.json')).toThrow(
      /suppress\[0\]" has no reason/,
    );
    expect(() => parseScanConfig({ scan: { suppress: [{ reason: 'why' }] } }, 'c.json')).toThrow(/matches everything/);
    expect(() => parseScanConfig([], 'c.json')).toThrow(/top level is not an object/);
  });
});

describe('globToRegExp', () => {
  test('default: ** crosses folders, * stays in one', () => {
    expect(globToRegExp('test/**').test('test/a/b.sol')).toBe(true);
    expect(globToRegExp('**/mocks/**').test('src/mocks/M.sol')).toBe(true);
    expect(globToRegExp('src/*.sol').test('src/a/B.sol')).toBe(false);
    expect(globToRegExp('src/*.sol').test('src/B.sol')).toBe(true);
    expect(globToRegExp('a.b?.sol').test('axb1.sol')).toBe(false);
  });
});

describe('closest', () => {
  test('default: suggests near names only', () => {
    expect(closest('reentrancy-ethh', ['reentrancy-eth', 'tx-origin-auth'])).toBe('reentrancy-eth');
    expect(closest('completely-different', ['reentrancy-eth'])).toBeUndefined();
  });
});
