import { findAll } from '@bulwark/solidity';
import { describe, expect, test } from 'vitest';
import { isSelf, mentions, unparen } from './expressions.ts';
import { sourceText } from './sourceText.ts';
import { analyseSource, functionNamed } from './testing.ts';

describe('expressions', () => {
  test('unparen, isSelf and mentions', () => {
    const { program } = analyseSource(`pragma solidity ^0.8.0;
      contract C {
        function f(uint a, uint b) external view returns (uint) { return ((a + b)) + uint160(address(this)); }
      }`);
    const f = functionNamed(program, 'C', 'f');
    const [ret] = findAll(f.body!, 'ReturnStatement');
    const sum = ret!.expression;
    expect(sourceText(f, unparen(sum.left))).toBe('a + b');
    const [self] = findAll(sum.right, (n) => n.type === 'FunctionCall' && sourceText(f, n) === 'address(this)');
    expect(isSelf(self)).toBe(true);
    expect(isSelf(sum.left)).toBe(false);
    expect(mentions(sum, new Set(['b']))).toBe(true);
    expect(mentions(sum.right, new Set(['a', 'b']))).toBe(false);
  });
});
