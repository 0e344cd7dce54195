import { findAll, qualifiedName } from '@bulwark/solidity';
import { describe, expect, test } from 'vitest';
import {
  callArguments,
  conditionDependencies,
  framesOf,
  fromInput,
  referencesSender,
} from './conditionDependencies.ts';
import { sourceText } from './sourceText.ts';
import { analyseSource, functionNamed } from './testing.ts';

const { program, analysis } = analyseSource(`pragma solidity ^0.8.0;
  interface IToken { function balanceOf(address a) external view returns (uint); }
  library Limits { function within(uint self, uint cap) internal pure returns (bool) { return self <= cap; } }
  abstract contract Base {
    address owner;
    bool paused;
    uint cap;
    uint fee;
    uint count;
    modifier whenNotPaused() { require(!paused); _; }
    modifier onlyOwner() { require(msg.sender == owner); _; }
    function _authorize() internal virtual;
    function _isPaused() internal view returns (bool) { return paused; }
    function upgrade() external { _authorize(); count += 1; }
  }
  contract C is Base {
    using Limits for uint;
    function deposit(uint amount) external whenNotPaused onlyOwner {
      uint limit = cap;
      require(amount.within(limit));
      require(Limits.within(amount, cap));
      _check(msg.sender, amount);
      count += 1;
    }
    function _check(address who, uint amount) internal view { require(who == owner); require(amount > fee); }
    function viaGetter() external { if (_isPaused()) revert(); count += 1; }
    function _authorize() internal override { require(!paused); }
  }`);
const deposit = functionNamed(program, 'C', 'deposit');

describe('conditionDependencies', () => {
  test('state deciding the conditions on the way (modifiers, locals, callees), caller checks left out', () => {
    const deps = conditionDependencies(analysis, deposit);
    expect([...deps.keys()].map((v) => v.name).sort()).toEqual(['cap', 'fee', 'paused']);
    expect(qualifiedName(deps.get([...deps.keys()].find((v) => v.name === 'fee')!)!.fn)).toBe('C._check');
  });

  test('a view getter read in a condition carries the state it reads', () => {
    const deps = conditionDependencies(analysis, functionNamed(program, 'C', 'viaGetter'));
    expect([...deps.keys()].map((v) => v.name)).toEqual(['paused']);
  });

  test('with a scope, a call to a virtual hook runs the override of the deployed contract', () => {
    const upgrade = functionNamed(program, 'Base', 'upgrade');
    expect(conditionDependencies(analysis, upgrade).size).toBe(0); // the base declares no body
    expect([...conditionDependencies(analysis, upgrade, program.contract('C')).keys()].map((v) => v.name)).toEqual([
      'paused',
    ]);
  });
});

describe('framesOf (condition frames)', () => {
  test('caller identity and entry inputs are tracked through parameters', () => {
    const frames = framesOf(analysis, deposit);
    expect(frames.map((f) => f.fn.name)).toEqual(['deposit', 'whenNotPaused', 'onlyOwner', 'within', '_check']);
    const check = frames.find((f) => f.fn.name === '_check')!;
    expect([...check.senderParams]).toEqual(['who']);
    expect([...check.inputParams]).toEqual(['amount']);
    const within = frames.find((f) => f.fn.name === 'within')!;
    expect([...within.params.get('cap')!].map((v) => v.name)).toEqual(['cap']);
    expect([...within.inputParams]).toEqual(['self']);
    const [amountUse] = findAll(check.fn.body!, (n) => n.type === 'Identifier' && n.name === 'amount');
    expect(fromInput(analysis, check, amountUse!)).toBe(true);
    const [feeUse] = findAll(check.fn.body!, (n) => n.type === 'Identifier' && n.name === 'fee');
    expect(fromInput(analysis, check, feeUse!)).toBe(false);
  });
});

describe('referencesSender', () => {
  test('finds msg.sender anywhere in an expression, or a parameter known to carry it', () => {
    const check = functionNamed(program, 'C', '_check');
    const [first, second] = analysis.facts(check).conditions;
    expect(referencesSender(first!, check, analysis)).toBe(false);
    expect(referencesSender(first!, check, analysis, new Set(['who']))).toBe(true);
    expect(referencesSender(second!, check, analysis, new Set(['who']))).toBe(false);
    const onlyOwner = program.contract('Base')!.modifiers.find((m) => m.name === 'onlyOwner')!;
    expect(referencesSender(analysis.facts(onlyOwner).conditions[0]!, onlyOwner, analysis)).toBe(true);
  });
});

describe('callArguments', () => {
  test('`x.f(y)` through using-for passes x first; `L.f(x, y)` does not add the library', () => {
    const calls = analysis.facts(deposit).calls.filter((c) => c.kind === 'library');
    expect(calls.map((c) => callArguments(analysis, c, deposit).map((n) => sourceText(deposit, n)))).toEqual([
      ['amount', 'limit'],
      ['amount', 'cap'],
    ]);
  });
});
