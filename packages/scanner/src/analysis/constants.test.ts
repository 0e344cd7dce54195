import { findAll } from '@bulwark/solidity';
import { describe, expect, test } from 'vitest';
import { isLiteralZero } from './constants.ts';
import { analyseSource, functionNamed } from './testing.ts';

describe('isLiteralZero', () => {
  test('a zero number literal in any notation or unit; nothing else', () => {
    const { program } = analyseSource(`pragma solidity ^0.8.0;
      contract C { function f(uint a) external pure returns (uint[6] memory r) { r = [0, 0x0, 0 ether, 1, a, 1 - 1]; } }`);
    const f = functionNamed(program, 'C', 'f');
    const [array] = findAll(f.body!, (n) => n.type === 'TupleExpression' && n.isArray);
    expect(array!.components.map(isLiteralZero)).toEqual([true, true, true, false, false, false]);
    expect(isLiteralZero(undefined)).toBe(false);
  });
});
