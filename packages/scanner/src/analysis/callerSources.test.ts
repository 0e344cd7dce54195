import { findAll, type Node, type TaintSource } from '@bulwark/solidity';
import { describe, expect, test } from 'vitest';
import { describeSources, isCallerControlled, readsStoredEntry } from './callerSources.ts';
import { sourceText } from './sourceText.ts';
import { analyseSource, functionNamed } from './testing.ts';

describe('isCallerControlled and describeSources', () => {
  test('parameters, msg.sender, tx.origin, calldata and user-settable state; not block or stored values', () => {
    const all: TaintSource[] = [
      'param:to',
      'msg.sender',
      'tx.origin',
      'msg.data',
      'user-input',
      'msg.value',
      'block.timestamp',
      'state:owner',
      'external-call',
    ];
    expect(all.filter(isCallerControlled)).toEqual(['param:to', 'msg.sender', 'tx.origin', 'msg.data', 'user-input']);
    expect(describeSources(['param:to', 'msg.sender', 'user-input', 'param:to'])).toBe(
      'parameter to / msg.sender / a state variable anyone can set',
    );
  });
});

describe('readsStoredEntry', () => {
  const { program, analysis } = analyseSource(`pragma solidity ^0.8.0;
    interface IOwned { function owner() external view returns (address); }
    contract C {
      struct Listing { address seller; uint price; }
      mapping(uint => Listing) listings;
      address[] payees;
      address owner;
      function f(uint id, uint i, address to) external view returns (address[10] memory r) {
        Listing storage l = listings[id];
        address s = l.seller;
        address moved = listings[id].seller;
        moved = to;
        r = [listings[id].seller, payees[i], l.seller, s, payable(payees[i]), IOwned(payees[i]).owner(),
             owner, to, moved, msg.sender];
      }
    }`);
  test('entries of state mappings and arrays, through conversions and locals set once; not scalars, parameters or reassigned locals', () => {
    const f = functionNamed(program, 'C', 'f');
    const [array] = findAll(f.body!, (n) => n.type === 'TupleExpression' && n.isArray);
    expect(array!.components.map((c: Node) => [sourceText(f, c), readsStoredEntry(analysis, f, c)])).toEqual([
      ['listings[id].seller', true],
      ['payees[i]', true],
      ['l.seller', true],
      ['s', true],
      ['payable(payees[i])', true],
      ['IOwned(payees[i]).owner()', false], // what another contract returns is not stored here
      ['owner', false],
      ['to', false],
      ['moved', false],
      ['msg.sender', false],
    ]);
    expect(readsStoredEntry(analysis, f, undefined)).toBe(false);
  });
});
