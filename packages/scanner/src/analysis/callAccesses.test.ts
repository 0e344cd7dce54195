import { type FunctionIR, qualifiedName } from '@bulwark/solidity';
import { describe, expect, test } from 'vitest';
import {
  accessSummary,
  pathAccesses,
  pathsOverlap,
  reaching,
  readsAfter,
  readsBefore,
  reenterableEntryPoints,
  staleWrites,
  unguardedEntryPoints,
  writesAfter,
  writesBefore,
} from './callAccesses.ts';
import { callContexts } from './callContexts.ts';
import { analyseSource, functionNamed } from './testing.ts';

const bank = (pragma: string) =>
  analyseSource(`pragma solidity ${pragma};
  contract Bank {
    struct Proposal { bool executed; uint votes; }
    mapping(address => uint) balances;
    mapping(bytes32 => bool) done;
    Proposal[] proposals;
    uint total;
    bool locked;
    address owner;
    modifier nonReentrant() { require(!locked); locked = true; _; locked = false; }
    modifier onlyOwner() { require(msg.sender == owner); _; }
    function withdraw() external {
      uint amount = balances[msg.sender];
      require(amount > 0 && total >= amount);
      (bool ok, ) = msg.sender.call{value: amount}("");
      require(ok);
      balances[msg.sender] = 0;
      total -= amount;
    }
    function withdrawUnchecked() external {
      uint amount = balances[msg.sender];
      require(total >= amount);
      (bool ok, ) = msg.sender.call{value: amount}("");
      require(ok);
      balances[msg.sender] = 0;
      unchecked { total -= amount; }
    }
    function viaHelper() external { _settle(msg.sender); }
    function _settle(address to) internal { uint a = balances[to]; _pay(to, a); balances[to] = 0; }
    function _pay(address to, uint a) internal { (bool ok, ) = to.call{value: a}(""); require(ok); }
    function execute(bytes32 id, address target) external {
      require(!done[id]);
      (bool ok, ) = target.call("");
      require(ok && !done[id]);
      done[id] = true;
    }
    function guarded() external nonReentrant { (bool ok, ) = msg.sender.call{value: 1}(""); ok; }
    function vote(uint id) external { Proposal storage p = proposals[id]; require(!p.executed); p.votes += 1; proposals.push(p); uint n = proposals.length; n; }
    function admin() external onlyOwner { total = 0; }
    function view_() external view returns (uint) { return total; }
    function recursive(uint n) public { if (n > 0) { total += 1; recursive(n - 1); } }
    function ping(uint n) public { if (n > 0) { balances[msg.sender] += 1; _pong(n - 1); } }
    function _pong(uint n) internal { total += 1; ping(n); }
  }`);
const modern = bank('^0.8.0');
const fn = (name: string, program = modern.program) => functionNamed(program, 'Bank', name);
const only = (name: string, analysis = modern.analysis, program = modern.program) => {
  const contexts = callContexts(analysis, fn(name, program));
  expect(contexts.length).toBe(1);
  return contexts[0]!;
};
const paths = (accesses: { path: string }[]) => [...new Set(accesses.map((a) => a.path))].sort();

describe('pathAccesses', () => {
  test('paths with [] for indexes, through storage pointers; push writes the array; the pointer declaration is no access', () => {
    const accesses = pathAccesses(modern.analysis, fn('vote'));
    expect(accesses.map((a) => [a.path, a.read, a.write, a.checked])).toEqual([
      ['proposals[].executed', true, false, true],
      ['proposals[].votes', true, true, false],
      ['proposals', true, true, false],
      ['proposals[]', true, false, false], // pushing p reads what p points to
      ['proposals', true, false, false], // proposals.length reads the array
    ]);
  });
  test('a value read into a local that a condition tests is checked', () => {
    const withdraw = pathAccesses(modern.analysis, fn('withdraw'));
    expect(withdraw.filter((a) => a.read && a.checked).map((a) => a.path)).toEqual(['balances[]', 'total']);
  });
});

describe('accessSummary', () => {
  test('callees and modifiers included; recursion and mutual recursion end with each access once', () => {
    expect(paths(accessSummary(modern.analysis, fn('viaHelper')))).toEqual(['balances[]']);
    expect(paths(accessSummary(modern.analysis, fn('guarded')))).toEqual(['locked']);
    expect(accessSummary(modern.analysis, fn('recursive')).map((a) => a.path)).toEqual(['total']);
    expect(paths(accessSummary(modern.analysis, fn('ping')))).toEqual(['balances[]', 'total']);
    expect(accessSummary(modern.analysis, fn('ping')).length).toBeLessThanOrEqual(3);
  });
});

describe('reads and writes around a call', () => {
  test('before and after the call in the same function', () => {
    const context = only('withdraw');
    expect(paths(readsBefore(modern.analysis, context))).toEqual(['balances[]', 'total']);
    expect(paths(writesAfter(modern.analysis, context))).toEqual(['balances[]', 'total']);
    expect(writesBefore(modern.analysis, context)).toEqual([]);
    expect(paths(readsAfter(modern.analysis, context))).toEqual(['total']); // `total -= amount` reads total
  });

  test('across internal calls: the callers up to the entry point count', () => {
    const context = only('viaHelper');
    expect(context.chain.length).toBe(2);
    expect(paths(readsBefore(modern.analysis, context))).toEqual(['balances[]']);
    expect(writesAfter(modern.analysis, context).map((a) => [a.path, qualifiedName(a.fn)])).toEqual([
      ['balances[]', 'Bank._settle'],
    ]);
  });

  test("a modifier's code before `_` runs before the call, after `_` after it", () => {
    const context = only('guarded');
    expect(paths(writesBefore(modern.analysis, context))).toEqual(['locked']);
    expect(paths(writesAfter(modern.analysis, context))).toEqual(['locked']);
  });

  test('reaching: the statements that run before the call', () => {
    const context = only('withdraw');
    expect(reaching(context.call.statement!).size).toBeGreaterThan(0);
    expect(reaching(context.call.statement!).has(context.call.statement!)).toBe(false);
  });
});

describe('staleWrites', () => {
  test('0.8: state read before and written after; a checked decrement cannot be overspent', () => {
    expect(paths(staleWrites(modern.analysis, only('withdraw')))).toEqual(['balances[]']);
    expect(paths(staleWrites(modern.analysis, only('withdrawUnchecked')))).toEqual(['balances[]', 'total']);
    expect(paths(staleWrites(modern.analysis, only('viaHelper')))).toEqual(['balances[]']);
  });

  test('0.7: without checked arithmetic the decrement is stale too', () => {
    const old = bank('^0.7.0');
    expect(paths(staleWrites(old.analysis, only('withdraw', old.analysis, old.program)))).toEqual([
      'balances[]',
      'total',
    ]);
  });

  test('state checked again after the call is not stale', () => {
    expect(staleWrites(modern.analysis, only('execute'))).toEqual([]);
  });

  test('0.4: a `var` local is a storage pointer; writes through it are writes to the entry', () => {
    const { program, analysis } = analyseSource(`pragma solidity ^0.4.24;
      contract Old {
        struct Account { uint amount; }
        mapping(address => Account) accounts;
        function withdraw() public {
          var account = accounts[msg.sender];
          require(account.amount > 0);
          if (!msg.sender.call.value(account.amount)()) throw;
          account.amount = 0;
        }
      }`);
    const [context] = callContexts(analysis, functionNamed(program, 'Old', 'withdraw'));
    expect(paths(staleWrites(analysis, context!))).toEqual(['accounts[].amount']);
  });
});

describe('try/catch', () => {
  test('writes in the success block and in the catch clause both run after the call', () => {
    const { program, analysis } = analyseSource(`pragma solidity ^0.8.0;
      interface IOracle { function price() external returns (uint); }
      contract C {
        IOracle oracle;
        uint x;
        uint y;
        function tried() external { require(x == 0); try oracle.price() returns (uint p) { x = p; } catch { y = 1; } }
      }`);
    const [context] = callContexts(analysis, functionNamed(program, 'C', 'tried'));
    expect(paths(writesAfter(analysis, context!))).toEqual(['x', 'y']);
    expect(paths(staleWrites(analysis, context!))).toEqual(['x']);
  });
});

describe('pathsOverlap', () => {
  test('equal paths, or one inside the other at a member or index boundary', () => {
    expect(
      [
        ['a', 'a'],
        ['a', 'a[]'],
        ['a[]', 'a[].b'],
        ['a.b', 'a.bc'],
        ['a', 'b'],
        ['ab', 'a'],
      ].map(([x, y]) => pathsOverlap(x!, y!)),
    ).toEqual([true, true, true, false, false, false]);
  });
});

describe('unguardedEntryPoints and reenterableEntryPoints', () => {
  test('no reentrancy guard; reenterable also excludes owner-only entries; views and internals are no entries', () => {
    const functions: FunctionIR[] = ['withdraw', 'guarded', 'admin', 'view_', '_pay'].map((n) => fn(n));
    expect(unguardedEntryPoints(modern.analysis, functions).map((f) => f.name)).toEqual(['withdraw', 'admin']);
    expect(reenterableEntryPoints(modern.analysis, functions).map((f) => f.name)).toEqual(['withdraw']);
  });
});
