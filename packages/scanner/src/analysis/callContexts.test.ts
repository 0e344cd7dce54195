import { qualifiedName } from '@bulwark/solidity';
import { describe, expect, test } from 'vitest';
import type { Access } from './callClasses.ts';
import { callContexts, levels, pathNote, variableNames, writeRelated } from './callContexts.ts';
import { sourceText } from './sourceText.ts';
import { analyseSource, functionNamed } from './testing.ts';

const { program, analysis } = analyseSource(`pragma solidity ^0.8.0;
  interface IToken { function transfer(address to, uint v) external returns (bool); }
  library Pay { function pay(address payable to, uint v) internal { to.transfer(v); } }
  contract C {
    using Pay for address payable;
    IToken token;
    uint a;
    uint b;
    function direct(address payable to) external { to.call{value: 1}(""); a = 1; }
    function nested(address payable to) external { _outer(to); }
    function _outer(address payable to) internal { _inner(to); }
    function _inner(address payable to) internal { token.transfer(to, 1); to.send(2); }
    function viaLibrary(address payable to) external { to.pay(3); }
    function loop(uint n) public { if (n > 0) { token.transfer(msg.sender, n); loop(n - 1); } }
    function ping(uint n) public { if (n > 0) pong(n - 1); }
    function pong(uint n) internal { token.transfer(msg.sender, n); ping(n); }
    function quiet() external { a = b; }
  }`);
const contexts = (name: string) => callContexts(analysis, functionNamed(program, 'C', name));

describe('callContexts', () => {
  test('every outgoing call, with the function holding it, the chain of internal calls and its class', () => {
    expect(
      contexts('nested').map((c) => [
        qualifiedName(c.fn),
        sourceText(c.fn, c.call.node),
        c.chain.map((link) => sourceText(link.fn, link.site.node)),
        c.kind,
      ]),
    ).toEqual([
      ['C._inner', 'token.transfer(to, 1)', ['_outer(to)', '_inner(to)'], 'external'],
      ['C._inner', 'to.send(2)', ['_outer(to)', '_inner(to)'], 'stipend'],
    ]);
    expect(contexts('direct').map((c) => [sourceText(c.fn, c.call.node), c.chain.length, c.kind])).toEqual([
      ['to.call{value: 1}("")', 0, 'eth'],
    ]);
  });

  test('library functions bound with `using for` are followed', () => {
    expect(contexts('viaLibrary').map((c) => [qualifiedName(c.fn), c.kind])).toEqual([['Pay.pay', 'stipend']]);
  });

  test('recursion and mutual recursion end, each call found once', () => {
    expect(contexts('loop').map((c) => sourceText(c.fn, c.call.node))).toEqual(['token.transfer(msg.sender, n)']);
    expect(contexts('ping').map((c) => [qualifiedName(c.fn), sourceText(c.fn, c.call.node)])).toEqual([
      ['C.pong', 'token.transfer(msg.sender, n)'],
    ]);
  });

  test('no outgoing call, no context', () => {
    expect(contexts('quiet')).toEqual([]);
  });
});

describe('levels and pathNote', () => {
  test('levels go innermost first; pathNote names the entry only when the call sits in a callee', () => {
    const [inner] = contexts('nested');
    expect(levels(inner!).map((l) => `${qualifiedName(l.fn)}: ${sourceText(l.fn, l.site.node)}`)).toEqual([
      'C._inner: token.transfer(to, 1)',
      'C._outer: _inner(to)',
      'C.nested: _outer(to)',
    ]);
    expect(pathNote(inner!)).toBe(' (reached from C.nested)');
    expect(pathNote(contexts('direct')[0]!)).toBe('');
  });
});

describe('variableNames and writeRelated', () => {
  test('names each variable once; at most three related locations, one per node', () => {
    const fn = functionNamed(program, 'C', 'quiet');
    const [write] = analysis.facts(fn).stateWrites;
    const [read] = analysis.facts(fn).stateReads;
    const access = (v: typeof write, node = v!.node): Access => ({
      variable: v!.variable,
      path: v!.variable.name,
      node,
      fn,
      checked: false,
    });
    const direct = functionNamed(program, 'C', 'direct');
    const other = analysis.facts(direct).stateWrites[0]!;
    const accesses = [access(write), access(write), access(read), access(other), access(other, fn.body!)];
    expect(variableNames(accesses)).toBe('a, b');
    const related = writeRelated(accesses);
    expect(related.map((r) => r.message)).toEqual([
      'a written after the call',
      'b written after the call',
      'a written after the call',
    ]);
    expect(related[0]!.unit).toBe(fn.contract.unit);
  });
});
