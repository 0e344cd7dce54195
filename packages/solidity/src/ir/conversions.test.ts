import { describe, expect, test } from 'vitest';
import { Analysis } from './analysis.ts';
import { findAll } from './ast.ts';
import { convertedValue, withoutConversions } from './conversions.ts';
import { parseSolidity } from './parse.ts';
import { buildProgram } from './program.ts';

const source = `pragma solidity ^0.8.0;
interface IToken { function f() external; }
contract C {
  function g(address a) external pure returns (uint) { return 1; }
  function h(address a) external view {
    address(a); payable(a); uint160(a); bytes32(0); IToken(a); this.g(a); keccak256("");
    payable(address(uint160(a)));
  }
}`;
const { ast } = parseSolidity(source);
const program = buildProgram([{ file: 'C.sol', content: source, ast: ast! }]);
const analysis = new Analysis(program);
const h = program.contract('C')!.functions.find((f) => f.name === 'h')!;
const text = (node: { range?: [number, number] } | undefined) =>
  node?.range ? source.slice(node.range[0], node.range[1] + 1) : undefined;
const calls = findAll(h.body!, (n) => n.type === 'FunctionCall');

describe('convertedValue', () => {
  test('default: elementary and contract conversions give their argument; other calls nothing', () => {
    expect(calls.slice(0, 7).map((c) => [text(c), text(convertedValue(c, { analysis, fn: h }))])).toEqual([
      ['address(a)', 'a'],
      ['payable(a)', 'a'],
      ['uint160(a)', 'a'],
      ['bytes32(0)', '0'],
      ['IToken(a)', 'a'],
      ['this.g(a)', undefined],
      ['keccak256("")', undefined],
    ]);
  });

  test('behavior: without the function, a contract name is not known to convert', () => {
    expect(convertedValue(calls[4]!)).toBeUndefined();
    expect(text(convertedValue(calls[0]!))).toBe('a');
  });
});

describe('withoutConversions', () => {
  test('default: takes off every conversion around a value', () => {
    const nested = calls.find((c) => text(c) === 'payable(address(uint160(a)))')!;
    expect(text(withoutConversions(nested))).toBe('a');
    expect(text(withoutConversions(calls[5]!))).toBe('this.g(a)');
  });
});
