import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { floatingPragma } from './floating-pragma.ts';

describe('floating-pragma', () => {
  test('default: a caret range on a deployable contract', () => {
    const findings = scanSource('pragma solidity ^0.8.0;\ncontract Vault {}\n', floatingPragma);
    expect(findingLines(findings)).toEqual([1]);
  });

  test('behavior: an open range (0.4 style)', () => {
    const findings = scanSource('pragma solidity >=0.4.22 <0.6.0;\ncontract Token {}\n', floatingPragma);
    expect(findingLines(findings)).toEqual([1]);
  });

  test('fp: a pinned version, or a library meant to be imported', () => {
    expect(scanSource('pragma solidity 0.8.24;\ncontract Vault {}\n', floatingPragma)).toEqual([]);
    expect(scanSource('pragma solidity ^0.8.0;\nlibrary Math {}\n', floatingPragma)).toEqual([]);
  });
});
