import { findAll } from '@bulwark/solidity';
import { describe, expect, test } from 'vitest';
import { functionHeader, shortSourceText, sourceText } from './sourceText.ts';
import { analyseSource, functionNamed } from './testing.ts';

const { program } = analyseSource(`pragma solidity ^0.8.0;
contract C {
  uint total;
  function f(uint a) public {
    require(a > 0 &&
            a < 100, "a bound");
    total = a + aVeryLongIdentifierNameThatKeepsGoing(a) + anotherVeryLongIdentifierName(a) + a;
  }
  function aVeryLongIdentifierNameThatKeepsGoing(uint x) internal pure returns (uint) { return x; }
  function anotherVeryLongIdentifierName(uint x) internal pure returns (uint) { return x; }
}`);
const f = functionNamed(program, 'C', 'f');
const [guard, assignment] = findAll(f.body!, 'ExpressionStatement');

describe('sourceText', () => {
  test('quotes a node with its whitespace collapsed', () => {
    expect(sourceText(f, guard!.expression)).toBe('require(a > 0 && a < 100, "a bound")');
  });
  test('keeps long text whole', () => {
    expect(sourceText(f, assignment!.expression)).toMatch(/anotherVeryLongIdentifierName\(a\) \+ a$/);
  });
});

describe('shortSourceText', () => {
  test('leaves short text as it is', () => {
    expect(shortSourceText(f, guard!.expression)).toBe(sourceText(f, guard!.expression));
  });
  test('cuts long text to 80 characters ending in "..."', () => {
    const text = shortSourceText(f, assignment!.expression);
    expect(text).toHaveLength(80);
    expect(text.endsWith('...')).toBe(true);
    expect(sourceText(f, assignment!.expression).startsWith(text.slice(0, 77))).toBe(true);
  });
});

describe('functionHeader', () => {
  test('spans the header up to the body, or up to the `;` of a function without one', () => {
    const { program: p } = analyseSource(`pragma solidity ^0.8.0;
abstract contract A {
  function g(uint a) public virtual returns (uint)   {
    return a;
  }
  function h() external virtual ;
}`);
    expect(sourceText(functionNamed(p, 'A', 'g'), functionHeader(functionNamed(p, 'A', 'g')))).toBe(
      'function g(uint a) public virtual returns (uint)',
    );
    expect(sourceText(functionNamed(p, 'A', 'h'), functionHeader(functionNamed(p, 'A', 'h')))).toBe(
      'function h() external virtual',
    );
  });
});
