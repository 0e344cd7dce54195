import { describe, expect, test } from 'vitest';
import { staleWrites } from './callAccesses.ts';
import { callContexts } from './callContexts.ts';
import {
  decidesOn,
  entryPoints,
  handsOverControl,
  onlyInFlightUpdates,
  reenterableFunctions,
  runsInLoop,
  userStateOrigins,
} from './reenterable.ts';
import { analyseSource, functionNamed } from './testing.ts';

const { program, analysis } = analyseSource(`pragma solidity ^0.8.0;
  interface IHook { function notify(address who) external; function onFlash(uint v) external; }
  library Lib { function helper(uint a) public pure returns (uint) { return a; } }
  contract Pool {
    mapping(address => uint) balances;
    uint rate;
    uint total;
    uint seen;
    uint logged;
    address owner;
    IHook oracle;
    address hook;
    address[] listeners;
    bool locked;
    event Logged(uint v);
    modifier nonReentrant() { require(!locked); locked = true; _; locked = false; }
    modifier onlyOwner() { require(msg.sender == owner); _; }
    function setHook(address h) external { hook = h; }
    function subscribe() external { listeners.push(msg.sender); }
    function payEth() external { uint a = balances[msg.sender]; balances[msg.sender] = 0; payable(msg.sender).call{value: a}(""); }
    function payStipend() external { payable(msg.sender).transfer(1); }
    function askOracle() external { oracle.notify(msg.sender); }
    function askHook() external { IHook(hook).notify(msg.sender); }
    function askTarget(address target) external { IHook(target).notify(msg.sender); }
    function notifyAll() external { for (uint i = 0; i < listeners.length; i++) _notify(listeners[i]); }
    function _notify(address who) internal { IHook(who).notify(who); }
    function flash(uint v) external { balances[msg.sender] += v; IHook(msg.sender).onFlash(v); unchecked { balances[msg.sender] -= v; } }
    function guardedA() external nonReentrant { payable(msg.sender).call{value: 1}(""); }
    function guardedB() external nonReentrant { total = 1; }
    function open() external { total = 2; }
    function admin() external onlyOwner { total = 3; }
    function peek() external view returns (uint) { return total; }
    function decideByCondition() external { require(rate > 0); total = 4; }
    function decideByAmount() external { payable(msg.sender).transfer(rate); }
    function decideByWrite() external { total = rate * 2; }
    function onlyLogs() external { emit Logged(logged); seen = 1; }
  }`);
const fn = (name: string) => functionNamed(program, 'Pool', name);
const contextOf = (name: string) => {
  const [context] = callContexts(analysis, fn(name)).filter((c) => c.kind !== 'none');
  if (!context) throw new Error(`no call in ${name}`);
  return context;
};
const variable = (name: string) => program.contract('Pool')!.stateVariables.find((v) => v.name === name)!;

describe('handsOverControl', () => {
  test('ether with gas, or a callee anyone chooses; not a stipend or a fixed oracle', () => {
    expect(
      ['payEth', 'payStipend', 'askOracle', 'askHook', 'askTarget', 'notifyAll'].map((n) =>
        handsOverControl(analysis, contextOf(n)),
      ),
    ).toEqual([true, false, false, true, true, true]);
  });
});

describe('decidesOn', () => {
  test('a condition, a call amount or a value written to state; an event alone decides nothing', () => {
    expect(decidesOn(analysis, fn('decideByCondition'), variable('rate'))).toBe(true);
    expect(decidesOn(analysis, fn('decideByAmount'), variable('rate'))).toBe(true);
    expect(decidesOn(analysis, fn('decideByWrite'), variable('rate'))).toBe(true);
    expect(decidesOn(analysis, fn('onlyLogs'), variable('logged'))).toBe(false);
    expect(decidesOn(analysis, fn('open'), variable('rate'))).toBe(false); // not read at all
  });
});

describe('reenterableFunctions', () => {
  test('other open non-view entries; both guarded by the lock, owner-only and views left out', () => {
    const names = (entry: string) => reenterableFunctions(analysis, contextOf(entry)).map((f) => f.name);
    const fromGuarded = names('guardedA');
    expect(fromGuarded).toContain('open');
    expect(fromGuarded).not.toContain('guardedB');
    expect(fromGuarded).not.toContain('guardedA');
    expect(fromGuarded).not.toContain('admin');
    expect(fromGuarded).not.toContain('peek');
    expect(names('payEth')).toContain('guardedB'); // the lock only covers entries that both take it
  });
});

describe('entryPoints', () => {
  test('public non-view functions, guarded or not; library functions are not entries', () => {
    const functions = [fn('open'), fn('admin'), fn('peek'), program.contract('Lib')!.functions[0]!];
    expect(entryPoints(analysis, functions).map((f) => f.name)).toEqual(['open', 'admin']);
  });
});

describe('userStateOrigins and runsInLoop', () => {
  test('user-settable state behind a receiver, followed through an internal parameter', () => {
    const loop = contextOf('notifyAll');
    expect(userStateOrigins(analysis, loop.call.receiver, loop, loop.chain.length)).toEqual(['listeners[]']);
    const hook = contextOf('askHook');
    expect(userStateOrigins(analysis, hook.call.receiver, hook, 0)).toEqual(['hook']);
    const oracle = contextOf('askOracle');
    expect(userStateOrigins(analysis, oracle.call.receiver, oracle, 0)).toEqual([]);
    expect(userStateOrigins(analysis, undefined, oracle, 0)).toEqual([]);
  });
  test('a call in a loop, directly or at a call site on the way', () => {
    expect(runsInLoop(contextOf('notifyAll'))).toBe(true);
    expect(runsInLoop(contextOf('askHook'))).toBe(false);
  });
});

describe('onlyInFlightUpdates', () => {
  test('a flash mint undone after the callback is in flight; a withdrawal is not', () => {
    const flash = contextOf('flash');
    const stale = staleWrites(analysis, flash);
    expect(stale.map((a) => a.path)).toEqual(['balances[]']);
    expect(onlyInFlightUpdates(analysis, flash, stale)).toBe(true);
    const { program: p, analysis: a } = analyseSource(`pragma solidity ^0.7.0;
      contract Bank { mapping(address => uint) balances;
        function withdraw() external { uint v = balances[msg.sender]; msg.sender.call{value: v}(""); balances[msg.sender] = 0; } }`);
    const [context] = callContexts(a, functionNamed(p, 'Bank', 'withdraw'));
    const withdrawStale = staleWrites(a, context!);
    expect(withdrawStale.length).toBe(1);
    expect(onlyInFlightUpdates(a, context!, withdrawStale)).toBe(false);
  });
});
