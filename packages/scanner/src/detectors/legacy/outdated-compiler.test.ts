import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { outdatedCompiler } from './outdated-compiler.ts';

describe('outdated-compiler', () => {
  test('default: a 0.5 pragma', () => {
    const findings = scanSource('pragma solidity ^0.5.0;\ncontract Token {}\n', outdatedCompiler);
    expect(findingLines(findings)).toEqual([1]);
    expect(findings[0].message).toContain('0.5.0');
  });

  test('behavior: a range that still admits 0.7', () => {
    const findings = scanSource('pragma solidity >=0.7.0 <0.9.0;\ncontract Safe {}\n', outdatedCompiler);
    expect(findingLines(findings)).toEqual([1]);
  });

  test('fp: 0.8 and later', () => {
    expect(scanSource('pragma solidity ^0.8.20;\ncontract Vault {}\n', outdatedCompiler)).toEqual([]);
  });
});
