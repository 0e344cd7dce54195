import { findAll, qualifiedName } from '@bulwark/solidity';
import { describe, expect, test } from 'vitest';
import { argumentBehind, argumentsFor, framesOf, sourcesOf } from './frames.ts';
import { sourceText } from './sourceText.ts';
import { analyseSource, functionNamed } from './testing.ts';

const { program, analysis } = analyseSource(`pragma solidity ^0.8.0;
  library Checks { function positive(uint self, address who) internal pure returns (bool) { return self > 0 && who != address(0); } }
  contract C {
    using Checks for uint;
    address owner;
    uint stored;
    modifier only(address who) { require(who == owner); _; }
    function entry(uint amount, address to) external only(msg.sender) {
      _first(amount, to);
      require(amount.positive(to));
      require(Checks.positive(amount, to));
    }
    function _first(uint a, address t) internal { _second(stored, t, address(this)); a; }
    function _second(uint s, address t, address self) internal { stored = s; t; self; }
    function loop(uint n) public { if (n > 0) loop(n - 1); }
    function ping(uint n) public { if (n > 0) _pong(n); }
    function _pong(uint n) internal { ping(n - 1); }
  }`);
const entry = functionNamed(program, 'C', 'entry');
const frames = framesOf(analysis, entry);
const frame = (name: string) => frames.find((f) => f.fn.name === name)!;

describe('framesOf', () => {
  test('the entry, its modifiers, internal and library callees, each once and depth-numbered', () => {
    expect(frames.map((f) => [qualifiedName(f.fn), f.depth])).toEqual([
      ['C.entry', 0],
      ['C.only', 1],
      ['C._first', 1],
      ['Checks.positive', 1],
      ['C._second', 2],
    ]);
  });

  test('parameters are bound to what the entry passes: its parameters, msg.sender, state', () => {
    expect([...frame('only').bindings.get('who')!]).toEqual(['msg.sender']);
    expect([...frame('_first').bindings.get('a')!]).toEqual(['param:amount']);
    expect([...frame('_second').bindings.get('t')!]).toEqual(['param:to']);
    expect([...frame('_second').bindings.get('s')!]).toEqual(['state:stored']);
    // `amount.positive(to)` binds the receiver to the first parameter.
    expect([...frame('positive').bindings.get('self')!]).toEqual(['param:amount']);
    expect([...frame('positive').bindings.get('who')!]).toEqual(['param:to']);
  });

  test('`via` is the call or modifier use in the entry that leads to the frame', () => {
    expect(sourceText(entry, frame('_second').via!)).toBe('_first(amount, to)');
    expect(sourceText(entry, frame('only').via!)).toBe('only(msg.sender)');
    expect(frame('entry').via).toBeUndefined();
  });

  test('maxDepth stops the walk; recursion and mutual recursion end', () => {
    expect(framesOf(analysis, entry, 1).map((f) => f.fn.name)).toEqual(['entry', 'only', '_first', 'positive']);
    expect(framesOf(analysis, functionNamed(program, 'C', 'loop')).map((f) => f.fn.name)).toEqual(['loop']);
    expect(framesOf(analysis, functionNamed(program, 'C', 'ping')).map((f) => f.fn.name)).toEqual(['ping', '_pong']);
  });
});

describe('sourcesOf and argumentBehind', () => {
  test('taint in a callee is expressed in terms of the entry point', () => {
    const second = frame('_second');
    const used = (name: string) => findAll(second.fn.body!, (n) => n.type === 'Identifier' && n.name === name)[0]!;
    expect([...sourcesOf(analysis, second, used('t'))]).toEqual(['param:to']);
    expect([...sourcesOf(analysis, second, used('s'))]).toEqual(['state:stored']);
    expect(sourcesOf(analysis, second, undefined).size).toBe(0);
  });

  test('argumentBehind follows a parameter through every caller to the first expression', () => {
    const second = frame('_second');
    const behindSelf = argumentBehind(second, { type: 'Identifier', name: 'self' });
    expect(sourceText(behindSelf.frame.fn, behindSelf.node!)).toBe('address(this)');
    const behindTo = argumentBehind(second, { type: 'Identifier', name: 't' });
    expect([behindTo.frame.fn.name, sourceText(behindTo.frame.fn, behindTo.node!)]).toEqual(['entry', 'to']);
  });
});

describe('argumentsFor', () => {
  test('a bound library call passes its receiver first; a call through the library name does not', () => {
    const calls = analysis.facts(entry).calls.filter((c) => c.kind === 'library');
    expect(calls.map((c) => argumentsFor(c, c.targets[0]!).map((n) => sourceText(entry, n)))).toEqual([
      ['amount', 'to'],
      ['amount', 'to'],
    ]);
  });
});
