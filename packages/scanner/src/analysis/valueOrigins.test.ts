import { findAll, type Node } from '@bulwark/solidity';
import { describe, expect, test } from 'vitest';
import { callContexts } from './callContexts.ts';
import { sourceText } from './sourceText.ts';
import { analyseSource, functionNamed } from './testing.ts';
import {
  argumentFor,
  expressionIsUserControlled,
  holderAt,
  pathIsUserControlled,
  receiverIsUserControlled,
  statePath,
  userControlledState,
  valueOrigins,
} from './valueOrigins.ts';

const { program, analysis } = analyseSource(`pragma solidity ^0.8.0;
  interface IHook { function notify() external; function next() external view returns (address); }
  contract Other {}
  contract Auction {
    struct Bid { address bidder; uint amount; }
    Bid[] bids;
    mapping(uint => Bid) byId;
    address owner;
    address hook;
    address[] listeners;
    address constant BURN = address(0xdead);
    modifier onlyOwner() { require(msg.sender == owner); _; }
    function bid() external payable { bids.push(Bid(msg.sender, msg.value)); }
    function setHook(address h) external { hook = h; }
    function subscribe() external { listeners.push(msg.sender); }
    function setOwner(address o) external onlyOwner { owner = o; }
    function origins(uint i, address p, bytes32 h, uint8 v, bytes32 r, bytes32 s) external returns (address[11] memory out) {
      Bid storage b = bids[i];
      address chosen = i > 0 ? p : owner;
      address fixed_;
      out = [msg.sender, p, b.bidder, byId[i].bidder, chosen, ecrecover(h, v, r, s), IHook(hook).next(),
             BURN, fixed_, _pick(p), payable(tx.origin)];
    }
    function make() external returns (Other) { return new Other(); }
    function _pick(address a) internal view returns (address) { return a == address(0) ? owner : a; }
    function callHook() external { IHook(hook).notify(); }
    function callOwner() external { IHook(owner).notify(); }
    function callListener(uint i) external { _call(listeners[i]); }
    function callParam(address target) external { _call(target); }
    function callParamAsOwner(address target) external onlyOwner { _call(target); }
    function _call(address target) internal { IHook(target).notify(); }
  }`);
const fn = (name: string) => functionNamed(program, 'Auction', name);

describe('valueOrigins', () => {
  test('where each value comes from, through storage pointers, locals, ternaries and internal returns', () => {
    const origins = fn('origins');
    const [array] = findAll(origins.body!, (n) => n.type === 'TupleExpression' && n.isArray);
    expect(array!.components.map((c: Node) => [...valueOrigins(analysis, c, origins)].sort())).toEqual([
      ['msg.sender'],
      ['param:p'],
      ['state:bids[].bidder'],
      ['state:byId[].bidder'],
      ['param:p', 'state:owner'],
      ['signer'],
      ['external-call'],
      ['literal'], // a constant
      ['literal'], // a local never assigned: zero
      ['param:p', 'state:owner'], // the callee's parameter replaced by the argument
      ['tx.origin'],
    ]);
    expect([...valueOrigins(analysis, undefined, origins)]).toEqual(['unknown']);
    const make = fn('make');
    const [created] = findAll(make.body!, 'ReturnStatement');
    expect([...valueOrigins(analysis, created!.expression, make)]).toEqual(['new']);
  });
});

describe('statePath', () => {
  test('paths of state expressions, with [] for any index; locals and constants have none', () => {
    const origins = fn('origins');
    const paths = findAll(origins.body!, (n) => n.type === 'MemberAccess' && n.memberName === 'bidder').map((n) =>
      statePath(analysis, n, origins),
    );
    expect(paths).toEqual(['bids[].bidder', 'byId[].bidder']);
    const [burn] = findAll(origins.body!, (n) => n.type === 'Identifier' && n.name === 'BURN');
    expect(statePath(analysis, burn, origins)).toBeUndefined();
  });
});

describe('userControlledState and pathIsUserControlled', () => {
  test('written from msg.sender or a parameter by an open entry; owner-only writes and constructors excluded', () => {
    const state = userControlledState(analysis, program.contract('Auction')!);
    expect([...state].sort()).toEqual(['bids[]', 'hook', 'listeners[]']);
    expect(pathIsUserControlled('bids[].bidder', state)).toBe(true);
    expect(pathIsUserControlled('hook', state)).toBe(true);
    expect(pathIsUserControlled('owner', state)).toBe(false);
    expect(pathIsUserControlled('byId[].bidder', state)).toBe(false);
  });
});

describe('receiverIsUserControlled and expressionIsUserControlled', () => {
  const receiver = (name: string) => {
    const [context] = callContexts(analysis, fn(name)).filter((c) => c.call.name === 'notify');
    return receiverIsUserControlled(analysis, context!);
  };
  test('a receiver anyone can set or pass is user-controlled; behind an owner check a parameter is not', () => {
    expect(receiver('callHook')).toBe(true);
    expect(receiver('callOwner')).toBe(false);
    expect(receiver('callListener')).toBe(true);
    expect(receiver('callParam')).toBe(true);
    expect(receiver('callParamAsOwner')).toBe(false);
  });
  test('holderAt and argumentFor walk the chain to the entry point', () => {
    const [context] = callContexts(analysis, fn('callParam'));
    expect(holderAt(context!, 0).name).toBe('callParam');
    expect(holderAt(context!, 1).name).toBe('_call');
    const argument = argumentFor(context!.chain[0]!.site, context!.fn, 0);
    expect(sourceText(context!.chain[0]!.fn, argument!)).toBe('target');
    expect(argumentFor(context!.chain[0]!.site, context!.fn, -1)).toBeUndefined();
    expect(expressionIsUserControlled(analysis, argument, context!, 0)).toBe(true);
  });
});

describe('argumentFor with bound library calls', () => {
  test('the receiver is the first argument', () => {
    const { program: p, analysis: a } = analyseSource(`pragma solidity ^0.8.0;
      library L { function add(uint x, uint y) internal pure returns (uint) { return x + y; } }
      contract C { using L for uint; function f(uint v) external pure returns (uint) { return v.add(1); } }`);
    const f = functionNamed(p, 'C', 'f');
    const [site] = a.facts(f).calls.filter((c) => c.kind === 'library');
    expect([0, 1].map((i) => sourceText(f, argumentFor(site!, site!.targets[0]!, i)!))).toEqual(['v', '1']);
  });
});
