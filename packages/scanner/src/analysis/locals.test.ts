import { describe, expect, test } from 'vitest';
import { declaredInitialiser, localAssignments, localInitialiser } from './locals.ts';
import { sourceText } from './sourceText.ts';
import { analyseSource, functionNamed } from './testing.ts';

describe('locals', () => {
  const { program } = analyseSource(`pragma solidity ^0.8.0;
    contract C {
      function f(uint a) external view returns (uint) {
        uint stable = address(this).balance;
        uint moving = a + 1;
        moving = moving * 2;
        return stable + moving;
      }
    }`);
  const f = functionNamed(program, 'C', 'f');
  test('localInitialiser: the initialiser of a local never reassigned; declaredInitialiser: the initialiser regardless', () => {
    expect(sourceText(f, localInitialiser(f, 'stable')!)).toBe('address(this).balance');
    expect(localInitialiser(f, 'moving')).toBeUndefined();
    expect(sourceText(f, declaredInitialiser(f, 'moving')!)).toBe('a + 1');
    expect(declaredInitialiser(f, 'a')).toBeUndefined();
  });
  test('localAssignments: every value a local is given, declaration included', () => {
    expect((localAssignments(f).get('moving') ?? []).map((n) => sourceText(f, n))).toEqual(['a + 1', 'moving * 2']);
  });
});
