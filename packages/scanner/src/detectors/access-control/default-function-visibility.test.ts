import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { defaultFunctionVisibility } from './default-function-visibility.ts';

const scan = (source: string) => scanSource(source, defaultFunctionVisibility);

describe('default-function-visibility', () => {
  test('default: 0.4 helper without visibility is public', () => {
    const findings = scan(`pragma solidity ^0.4.24;
contract Lottery {
  address winner;
  function _setWinner(address w) {
    winner = w;
  }
  function draw() public { _setWinner(msg.sender); }
}`);
    expect(findingLines(findings)).toEqual([4]);
    expect(findings[0].impact).toBe('medium');
    expect(findings[0].message).toContain('function _setWinner(address w)');
  });

  test('behavior: guarded functions are reported as low; views and fallbacks are not reported', () => {
    const findings = scan(`pragma solidity ^0.4.24;
contract C {
  address owner;
  uint x;
  function set(uint v) { require(msg.sender == owner); x = v; }
  function get() constant returns (uint) { return x; }
  function() payable {}
}`);
    expect(findingLines(findings)).toEqual([5]);
    expect(findings[0].impact).toBe('low');
  });

  test('fp: explicit visibility, and code for 0.5+ where the compiler requires it', () => {
    expect(
      scan(`pragma solidity ^0.4.24;
contract C { uint x; function set(uint v) internal { x = v; } function f() public { set(1); } }`),
    ).toEqual([]);
    expect(scan(`pragma solidity ^0.5.0;\ncontract C { uint x; function set(uint v) { x = v; } }`)).toEqual([]);
  });
});
