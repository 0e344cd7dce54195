import { qualifiedName } from '@bulwark/solidity';
import { describe, expect, test } from 'vitest';
import {
  contractHead,
  deployableContracts,
  entryPoints,
  isDelegatingProxy,
  reachable,
  reachableCalls,
} from './contracts.ts';
import { sourceText } from './sourceText.ts';
import { analyseSource, functionNamed } from './testing.ts';

const { program, analysis } = analyseSource(`pragma solidity ^0.8.0;
  interface IToken { function transfer(address to, uint v) external returns (bool); }
  library Math { function max(uint a, uint b) internal pure returns (uint) { return a > b ? a : b; } }
  abstract contract Base {
    uint internal total;
    modifier counted() { total += 1; _; }
    function deposit(uint v) public virtual counted { total += v; }
    function peek() external view returns (uint) { return total; }
    function _pay(IToken t, address to) internal { t.transfer(to, Math.max(total, 1)); }
    function hook() internal virtual;
  }
  contract Vault is Base {
    function deposit(uint v) public override { super.deposit(v); }
    function withdraw(IToken t) external { _pay(t, msg.sender); }
    function hook() internal override {}
    receive() external payable {}
    constructor() { total = 0; }
  }
  contract Proxy {
    address impl;
    fallback() external payable { _delegate(impl); }
    function _delegate(address target) internal {
      assembly { let ok := delegatecall(gas(), target, 0, calldatasize(), 0, 0) }
    }
  }
  contract Plain { fallback() external payable {} }
  contract Unimplemented { function price() public view returns (uint); }
  interface IPriced { function price() external view returns (uint); function name() external view returns (string memory); }
  contract Priced is IPriced { string public override name = "p"; function price() external pure override returns (uint) { return 1; } }
  contract
    Spaced   is Base
  {
    function hook() internal override {}
  }`);

describe('deployableContracts', () => {
  test('concrete contracts nobody inherits from; abstract bases (keyword or an unimplemented function), libraries and interfaces left out', () => {
    expect(deployableContracts(program.contracts).map((c) => c.name)).toEqual([
      'Vault',
      'Proxy',
      'Plain',
      'Priced',
      'Spaced',
    ]);
  });
});

describe('contractHead', () => {
  test('covers `contract Name is Bases` up to the brace, across lines, without trailing space', () => {
    const head = (name: string) => {
      const c = program.contract(name)!;
      const [start, end] = contractHead(c).range!;
      return c.unit.source.content.slice(start, end + 1);
    };
    expect(head('Vault')).toBe('contract Vault is Base');
    expect(head('Spaced')).toBe('contract\n    Spaced   is Base');
    expect(head('Math')).toBe('library Math');
  });
});

describe('entryPoints', () => {
  test('public state-changing functions, inherited ones included, overridden ones once; no views, internals or constructors', () => {
    expect(entryPoints(analysis, program.contract('Vault')!).map(qualifiedName).sort()).toEqual([
      'Vault.deposit',
      'Vault.receive',
      'Vault.withdraw',
    ]);
  });

  test('0.4: functions without visibility are public; the constructor named after the contract is not an entry', () => {
    const { program: p, analysis: a } = analyseSource(`pragma solidity ^0.4.24;
      contract Old {
        address owner;
        function Old() { owner = msg.sender; }
        function take() { msg.sender.transfer(this.balance); }
        function () payable {}
      }`);
    expect(
      entryPoints(a, p.contract('Old')!)
        .map((f) => f.kind)
        .sort(),
    ).toEqual(['fallback', 'function']);
  });
});

describe('reachable and reachableCalls', () => {
  test('follow modifiers, super calls, internal and library calls', () => {
    const deposit = functionNamed(program, 'Vault', 'deposit');
    expect(reachable(analysis, deposit).map(qualifiedName).sort()).toEqual([
      'Base.counted',
      'Base.deposit',
      'Vault.deposit',
    ]);
    const withdraw = functionNamed(program, 'Vault', 'withdraw');
    expect(
      reachableCalls(analysis, withdraw)
        .filter(({ call }) => call.kind !== 'builtin')
        .map(({ call, fn }) => `${qualifiedName(fn)}: ${sourceText(fn, call.node)}`),
    ).toEqual([
      'Vault.withdraw: _pay(t, msg.sender)',
      'Base._pay: t.transfer(to, Math.max(total, 1))',
      'Base._pay: Math.max(total, 1)',
    ]);
  });

  test('recursion and mutual recursion end', () => {
    const { program: p, analysis: a } = analyseSource(`pragma solidity ^0.8.0;
      contract R {
        uint n;
        function even(uint x) public returns (bool) { n++; return x == 0 ? true : odd(x - 1); }
        function odd(uint x) internal returns (bool) { return x == 0 ? false : even(x - 1); }
        function self(uint x) public returns (uint) { return x == 0 ? 0 : self(x - 1) + 1; }
      }`);
    expect(
      reachable(a, functionNamed(p, 'R', 'even'))
        .map((f) => f.name)
        .sort(),
    ).toEqual(['even', 'odd']);
    expect(reachable(a, functionNamed(p, 'R', 'self')).map((f) => f.name)).toEqual(['self']);
  });
});

describe('overloaded functions', () => {
  test('an internal call reaches the overload with its number of arguments', () => {
    const { program: p, analysis: a } = analyseSource(`pragma solidity ^0.8.0;
      contract O {
        uint x;
        function set(uint v) internal { x = v; }
        function set(uint v, uint w) internal { x = v + w; }
        function one() external { set(1); }
        function two() external { set(1, 2); }
      }`);
    const signatures = (name: string) => reachable(a, functionNamed(p, 'O', name)).map((f) => f.signature);
    expect(signatures('one')).toEqual(['one()', 'set(uint256)']);
    expect(signatures('two')).toEqual(['two()', 'set(uint256,uint256)']);
  });
});

describe('isDelegatingProxy', () => {
  test('a fallback that delegates (through an internal function and assembly) makes a proxy; an empty fallback does not', () => {
    expect(isDelegatingProxy(analysis, program.contract('Proxy')!)).toBe(true);
    expect(isDelegatingProxy(analysis, program.contract('Plain')!)).toBe(false);
    expect(isDelegatingProxy(analysis, program.contract('Vault')!)).toBe(false);
  });
});
