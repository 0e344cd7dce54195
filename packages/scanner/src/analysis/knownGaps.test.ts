import { findAll, type Node } from '@bulwark/solidity';
import { describe, expect, test } from 'vitest';
import { authoritiesOf } from './authorities.ts';
import { pathAccesses } from './callAccesses.ts';
import { callContexts } from './callContexts.ts';
import { readsStoredEntry } from './callerSources.ts';
import { failureReverts } from './callResults.ts';
import { isOneShot } from './contractProfile.ts';
import { reachable } from './contracts.ts';
import { isGuarded } from './guards.ts';
import { sourceText } from './sourceText.ts';
import { storageKeysRead, writeTargets } from './storage.ts';
import { analyseSource, functionNamed } from './testing.ts';
import { valueOrigins } from './valueOrigins.ts';
import { valueTransfers } from './valueTransfers.ts';

// Wrong answers the analysis modules used to give (found by the scant tests, fixed on h/scanx),
// kept as regression tests. A new gap goes here as a skipped test with the right answer.
describe('known gaps in analysis modules', () => {
  const { program, analysis } = analyseSource(`pragma solidity ^0.8.0;
    interface IOracle { function poke() external; }
    interface IERC20 { function transfer(address to, uint v) external returns (bool); }
    library SafeERC20 { function safeTransfer(IERC20 t, address to, uint v) internal { require(t.transfer(to, v)); } }
    contract C {
      IOracle oracle;
      IERC20 token;
      modifier poked() { oracle.poke(); _; }
      function viaModifier() external poked {}
      function explicitLibrary(address to) external { SafeERC20.safeTransfer(token, to, 1); }
    }`);

  test('callContexts: a call made in a modifier is reachable from the entry point', () => {
    const fn = functionNamed(program, 'C', 'viaModifier');
    expect(callContexts(analysis, fn).map((c) => sourceText(c.fn, c.call.node))).toEqual(['oracle.poke()']);
  });

  test('valueTransfers: `SafeERC20.safeTransfer(token, to, v)` written out is a payment to `to`, as the bound form is', () => {
    const fn = functionNamed(program, 'C', 'explicitLibrary');
    expect(valueTransfers(fn, analysis).map((t) => [t.asset, sourceText(fn, t.recipient!)])).toEqual([['token', 'to']]);
  });
});

describe('known gaps: storage keys', () => {
  test('storageKeysRead: `users[j].amount` reads no whole-variable key (indexed places have none)', () => {
    const { program, analysis } = analyseSource(`pragma solidity ^0.8.0;
      contract C { struct U { uint amount; } mapping(address => U) users; function f(address j) external view { require(users[j].amount > 0); } }`);
    const f = functionNamed(program, 'C', 'f');
    expect([...storageKeysRead(analysis, f, analysis.facts(f).conditions[0]!)]).toEqual([]);
  });
});

describe('known gaps: conversions', () => {
  // The IR used to give `address(x)` the call kind 'internal' (no targets), not 'type-conversion'.
  test('readsStoredEntry: `address(payees[i])` is a stored entry, as `payable(payees[i])` is', () => {
    const { program, analysis } = analyseSource(`pragma solidity ^0.8.0;
      contract C { address[] payees; function f(uint i) external view returns (address) { return address(payees[i]); } }`);
    const f = functionNamed(program, 'C', 'f');
    const [call] = analysis.facts(f).calls;
    expect([call!.kind, readsStoredEntry(analysis, f, call!.node)]).toEqual(['type-conversion', true]);
  });
});

describe('known gaps: valueOrigins through address()', () => {
  test('valueOrigins: `address(msg.sender)` and `address(new Other())` keep their origin', () => {
    const { program, analysis } = analyseSource(`pragma solidity ^0.8.0;
      contract Other {}
      contract C { function f() external returns (address[2] memory r) { r = [address(msg.sender), address(new Other())]; } }`);
    const f = functionNamed(program, 'C', 'f');
    const [array] = findAll(f.body!, (n) => n.type === 'TupleExpression' && n.isArray);
    expect(array!.components.map((c: Node) => [...valueOrigins(analysis, c, f)])).toEqual([['msg.sender'], ['new']]);
  });
});

describe('known gaps: state paths', () => {
  const source = (declaration: string, field: string) => `pragma solidity ^0.4.24;
    contract Old {
      struct Account { uint ${field}; uint since; }
      mapping(address => Account) accounts;
      function f() public { ${declaration} = accounts[msg.sender]; account.${field} = 0; account.since = now; }
    }`;
  test('pathAccesses: a struct field named `balance` (or `value`, `length`) keeps its path (not stripped as an address member)', () => {
    const { program, analysis } = analyseSource(source('Account storage account', 'balance'));
    const f = functionNamed(program, 'Old', 'f');
    expect(pathAccesses(analysis, f).map((a) => a.path)).toEqual(['accounts[].balance', 'accounts[].since']);
  });
  test('pathAccesses: the declaration of a 0.4 `var` storage pointer is no access, as with `storage` written out', () => {
    const { program, analysis } = analyseSource(source('var account', 'amount'));
    const f = functionNamed(program, 'Old', 'f');
    expect(pathAccesses(analysis, f).map((a) => [a.path, a.read])).toEqual([
      ['accounts[].amount', false],
      ['accounts[].since', false],
    ]);
  });
});

describe('known gaps: call targets', () => {
  const { program, analysis } = analyseSource(`pragma solidity ^0.8.0;
    interface IOracle { function price() external returns (uint); }
    contract C {
      IOracle oracle;
      uint price;
      uint fallbackPrice;
      function set(uint a) internal { price = a; }
      function set(address a) internal { fallbackPrice = uint160(a); }
      function byType(address a) external { set(a); }
      function applyTo(function(uint) internal f, uint v) internal { f(v); }
      function viaPointer(uint v) external { applyTo(set, v); }
      function tried() external { try oracle.price() returns (uint p) { price = p; } catch { fallbackPrice = 1; } }
    }`);
  const signatures = (name: string) => reachable(analysis, functionNamed(program, 'C', name)).map((f) => f.signature);
  // The IR used to resolve an internal call by name and argument count only.
  test('reachable: an overloaded call resolves by argument type (`set(a)` with an address reaches set(address))', () => {
    expect(signatures('byType')).toEqual(['byType(address)', 'set(address)']);
  });
  test('reachable: a function passed as an internal function pointer is reached through the call of the pointer', () => {
    expect(signatures('viaPointer')).toContain('set(uint256)');
  });
  test('failureReverts: a call inside `try` does not revert the transaction when it fails (the catch clause runs)', () => {
    const tried = functionNamed(program, 'C', 'tried');
    const call = analysis.facts(tried).calls.find((c) => c.kind === 'external')!;
    expect(failureReverts(analysis, tried, call)).toBe(false);
  });
});

describe('known gaps: two meanings of a stopping branch', () => {
  // authorities.ts (isGuardCondition) now asks guards.ts (branchStops), which counts `return` as stopping the caller.
  test('authoritiesOf: `if (msg.sender != owner) return;` checks the caller against owner, as isGuarded says', () => {
    const { program, analysis } = analyseSource(`pragma solidity ^0.8.0;
      contract C { address owner; uint value; function set(uint v) external { if (msg.sender != owner) return; value = v; } }`);
    const set = functionNamed(program, 'C', 'set');
    expect([
      isGuarded(analysis, set),
      authoritiesOf(analysis, set).map((a) => `${a.kind}:${a.variable?.name}`),
    ]).toEqual([true, ['address:owner']]);
  });
});

describe('known gaps: 0.4 one-shot initialisers and compound assignments', () => {
  const { program, analysis } = analyseSource(`pragma solidity ^0.4.24;
    contract Old {
      bool initialized;
      address admin;
      uint flags;
      function init(address a) public { if (initialized) throw; initialized = true; admin = a; }
      function bits() public { flags ^= 1; flags <<= 1; flags >>= 1; flags %= 7; }
    }`);
  // isOneShot asks oneTimeGuard, which reads the 0.4 form (oneTimeGuard.test.ts, 0.4 case).
  test('isOneShot: `if (initialized) throw; initialized = true;` is a one-shot initialiser', () => {
    expect(isOneShot(analysis, program.contract('Old')!, functionNamed(program, 'Old', 'init'))).toBe(true);
  });
  test('writeTargets: `^=`, `<<=`, `>>=` and `%=` write their target too', () => {
    expect(writeTargets(functionNamed(program, 'Old', 'bits')).length).toBe(4);
  });
});

describe('isOneShot through oneTimeGuard: what is no once-only flag', () => {
  const { program, analysis } = analyseSource(`pragma solidity ^0.8.0;
    contract C {
      address owner;
      uint count;
      function setOwner(address next) external { require(msg.sender == owner); owner = next; }
      function bump() external { require(count < 10); count++; }
    }`);
  test('a caller check on owner decides who may call, not how often', () => {
    expect(isOneShot(analysis, program.contract('C')!, functionNamed(program, 'C', 'setOwner'))).toBe(false);
  });
  test('a counter changes on every call', () => {
    expect(isOneShot(analysis, program.contract('C')!, functionNamed(program, 'C', 'bump'))).toBe(false);
  });
});
