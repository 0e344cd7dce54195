import { describe, expect, test } from 'vitest';
import { assemblyCalls } from './assembly.ts';
import { sourceText } from './sourceText.ts';
import { analyseSource, functionNamed } from './testing.ts';

describe('assemblyCalls', () => {
  test('finds the named calls in every assembly block of a body, nested ones included', () => {
    const { program } = analyseSource(`pragma solidity ^0.8.0;
      contract C {
        function f(address t, uint slot) external {
          assembly { sstore(slot, caller()) }
          uint x = 1;
          assembly { if iszero(x) { let ok := delegatecall(gas(), t, 0, 0, 0, 0) } }
        }
        function g() external pure returns (uint) { return 1; }
      }`);
    const f = functionNamed(program, 'C', 'f');
    expect(assemblyCalls(f, new Set(['sstore', 'delegatecall'])).map((n) => sourceText(f, n))).toEqual([
      'sstore(slot, caller())',
      'delegatecall(gas(), t, 0, 0, 0, 0)',
    ]);
    expect(assemblyCalls(f, new Set(['selfdestruct']))).toEqual([]);
    expect(assemblyCalls(functionNamed(program, 'C', 'g'), new Set(['sstore']))).toEqual([]);
  });
});
