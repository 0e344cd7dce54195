import { findAll } from '@bulwark/solidity';
import { describe, expect, test } from 'vitest';
import { sourceText } from './sourceText.ts';
import {
  rootStateVariable,
  slotKey,
  stateIndexes,
  storageKey,
  storageKeysRead,
  writeTargets,
  writeTargetsIn,
} from './storage.ts';
import { analyseSource, functionNamed } from './testing.ts';

const { program, analysis } = analyseSource(`pragma solidity ^0.8.0;
  library StorageSlot { struct AddressSlot { address value; } function getAddressSlot(bytes32 s) internal pure returns (AddressSlot storage r) { assembly { r.slot := s } } }
  contract C {
    struct User { uint amount; bool active; }
    struct Config { address admin; }
    struct InitStorage { bool _initialized; }
    bytes32 constant IMPLEMENTATION_SLOT = keccak256("impl");
    uint constant LIMIT = 10;
    address immutable deployer = msg.sender;
    address owner;
    Config config;
    mapping(address => User) users;
    mapping(address => mapping(address => uint)) allowance;
    bool initialized;
    uint fee;
    function _getInitStorage() internal pure returns (InitStorage storage s) { assembly { s.slot := 0 } }
    function initializedFlag() internal view returns (bool) { return initialized; }
    function f(address k, address j) external {
      User storage u = users[k];
      uint cached = fee;
      InitStorage storage s = _getInitStorage();
      Config storage c = config;
      owner = msg.sender;
      config.admin = k;
      u.amount += 1;
      allowance[k][j] = LIMIT;
      s._initialized = true;
      c.admin = j;
      StorageSlot.getAddressSlot(IMPLEMENTATION_SLOT).value = k;
      cached++;
      delete initialized;
      require(!initializedFlag() && cached > 0 && owner != deployer);
    }
    function g(address impl) external {
      bytes32 slot = IMPLEMENTATION_SLOT;
      assembly {
        let other := IMPLEMENTATION_SLOT
        sstore(slot, impl)
        sstore(other, impl)
        sstore(owner.slot, impl)
        sstore(0x1234, impl)
      }
    }
  }`);
const f = functionNamed(program, 'C', 'f');
const targets = writeTargets(f);
const text = (n: Parameters<typeof sourceText>[1]) => sourceText(f, n);

describe('writeTargets and writeTargetsIn', () => {
  test('every assignment, compound assignment, increment and delete target, in order', () => {
    expect(targets.map(text)).toEqual([
      'owner',
      'config.admin',
      'u.amount',
      'allowance[k][j]',
      's._initialized',
      'c.admin',
      'StorageSlot.getAddressSlot(IMPLEMENTATION_SLOT).value',
      'cached',
      'initialized',
    ]);
  });
  test('writeTargetsIn covers one statement', () => {
    const [statement] = findAll(
      f.body!,
      (n) => n.type === 'ExpressionStatement' && n.expression?.operator === 'delete',
    );
    expect(writeTargetsIn(statement!).map(text)).toEqual(['initialized']);
  });
});

describe('storageKey', () => {
  test('names storage places independently of the function; indexed places, locals and constants have none', () => {
    const key = (target: string) => storageKey(analysis, f, targets.find((t) => text(t) === target)!);
    expect(key('owner')).toBe('state:owner');
    expect(key('config.admin')).toBe('state:config.admin');
    expect(key('c.admin')).toBe('state:config.admin'); // a storage pointer to the same place
    expect(key('s._initialized')).toBe('ptr:_getInitStorage._initialized');
    expect(key('StorageSlot.getAddressSlot(IMPLEMENTATION_SLOT).value')).toBe(
      'ptr:getAddressSlot(IMPLEMENTATION_SLOT).value',
    );
    expect(key('allowance[k][j]')).toBeUndefined();
    expect(key('u.amount')).toBeUndefined(); // behind users[k]: per key, not once
    expect(key('cached')).toBeUndefined();
    const [limit] = findAll(f.body!, (n) => n.type === 'Identifier' && n.name === 'LIMIT');
    expect(storageKey(analysis, f, limit!)).toBeUndefined();
  });
});

describe('storageKeysRead', () => {
  test('reads through locals set from state and through getters', () => {
    const [condition] = analysis.facts(f).conditions.filter((c) => text(c).includes('initializedFlag'));
    expect([...storageKeysRead(analysis, f, condition!)].sort()).toEqual([
      'state:fee',
      'state:initialized',
      'state:owner',
    ]);
  });
});

describe('rootStateVariable and stateIndexes', () => {
  test('the state variable at the root; a local has none', () => {
    expect(targets.map((t) => rootStateVariable(f, t, analysis)?.name)).toEqual([
      'owner',
      'config',
      undefined,
      'allowance',
      undefined,
      undefined,
      undefined,
      undefined,
      'initialized',
    ]);
  });
  test('index expressions, through a storage pointer to its initialiser', () => {
    const u = targets.find((t) => text(t) === 'u.amount')!;
    expect(stateIndexes(f, u, analysis).map(text)).toEqual(['k']);
    const a = targets.find((t) => text(t) === 'allowance[k][j]')!;
    expect(stateIndexes(f, a, analysis).map(text).sort()).toEqual(['j', 'k']);
  });
});

describe('slotKey', () => {
  test('assembly slots by what they are computed from: Solidity and assembly locals, .slot, literals', () => {
    const g = functionNamed(program, 'C', 'g');
    const stores = findAll(g.body!, (n) => n.type === 'AssemblyCall' && n.functionName === 'sstore');
    expect(stores.map((s) => slotKey(g, s.arguments[0]))).toEqual([
      'slot:IMPLEMENTATION_SLOT',
      'slot:IMPLEMENTATION_SLOT',
      'state:owner',
      'slot:0x1234',
    ]);
    expect(slotKey(g, undefined)).toBe('slot:?');
  });
});
