import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { rtloCharacter } from './rtlo-character.ts';

describe('rtlo-character', () => {
  test('default: an override hidden in a comment', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract Payout {
  function pay(address payable a, address payable b, uint fee) public {
    a.transfer(fee /*\u202E  b ,*/);
  }
}`,
      rtloCharacter,
    );
    expect(findingLines(findings)).toEqual([4]);
    expect(findings[0].impact).toBe('high');
    expect(findings[0].message).toContain('U+202E');
  });

  test('behavior: other bidi isolates in a string are reported as medium', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Names {
  string public label = "admin\u2066 \u2069";
}`,
      rtloCharacter,
    );
    expect(findingLines(findings)).toEqual([3, 3]);
    expect(findings.every((f) => f.impact === 'medium')).toBe(true);
  });

  test('fp: ordinary unicode text is clean', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
// Größe: ✓ 日本語
contract Plain { string public s = "héllo"; }`,
      rtloCharacter,
    );
    expect(findings).toEqual([]);
  });
});
