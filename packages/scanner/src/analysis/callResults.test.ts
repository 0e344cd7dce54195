import type { CallSite, FunctionIR } from '@bulwark/solidity';
import { describe, expect, test } from 'vitest';
import { erc20Call, failureReverts, neverInvokedCall, resultHandling } from './callResults.ts';
import { analyseSource, functionNamed } from './testing.ts';

const { program, analysis } = analyseSource(`pragma solidity ^0.8.0;
  interface IERC20 { function transfer(address to, uint v) external returns (bool); function approve(address s, uint v) external returns (bool); }
  interface IUsdt { function transfer(address to, uint v) external; function balanceOf(address a) external view returns (uint); }
  interface IERC721 { function transferFrom(address f, address t, uint id) external; function ownerOf(uint id) external view returns (address); function balanceOf(address a) external view returns (uint); }
  interface INotToken { function transfer(address to, uint v) external; }
  contract C {
    event Sent(bool ok);
    mapping(address => uint) pending;
    bool paid;
    IERC20 token;
    IUsdt usdt;
    IERC721 nft;
    INotToken other;
    function discarded(address payable to) external { to.send(1); }
    function required(address payable to) external { require(to.send(1)); }
    function requiredNegated(address payable to) external { require(!to.send(1)); }
    function ifRevert(address payable to) external { if (!to.send(1)) revert(); }
    function ifComparedRevert(address payable to) external { if (to.send(1) == false) revert("failed"); }
    function ifEmptyBranch(address payable to) external { if (to.send(1)) {} }
    function ifRevertOnSuccess(address payable to) external { if (to.send(1)) revert(); }
    function failureRecorded(address payable to) external { if (!to.send(1)) { pending[to] += 1; } }
    function successRecorded(address payable to) external { if (to.send(1)) { paid = true; } }
    function storedUnread(address to) external { (bool ok, ) = to.call(""); }
    function storedRequired(address to) external { (bool ok, ) = to.call(""); require(ok, "call failed"); }
    function storedDeadBranch(address to) external { (bool ok, ) = to.call(""); uint tries; if (!ok) { tries += 1; } }
    function flagDropped(address to) external returns (bytes memory) { (, bytes memory data) = to.call(""); return data; }
    function returned(address payable to) external returns (bool) { return to.send(1); }
    function namedReturn(address payable to) external returns (bool ok) { ok = to.send(1); }
    function logged(address payable to) external { emit Sent(to.send(1)); }
    function loggedLocal(address payable to) external { bool ok = to.send(1); emit Sent(ok); }
    function kept(address payable to) external { paid = to.send(1); }
    function high(address payable to) external { to.transfer(1); token.transfer(to, 1); }
    function tokens(address to) external { token.transfer(to, 1); token.approve(to, 1); usdt.transfer(to, 1); nft.transferFrom(msg.sender, to, 1); other.transfer(to, 1); }
  }`);

/** The first call of `name` that sends ether or calls out. */
function outgoing(name: string): [FunctionIR, CallSite] {
  const fn = functionNamed(program, 'C', name);
  const call = analysis
    .facts(fn)
    .calls.find((c) => ['send', 'low-level-call', 'transfer', 'external'].includes(c.kind));
  if (!call) throw new Error(`no outgoing call in ${name}`);
  return [fn, call];
}
const handling = (name: string) => {
  const [fn, call] = outgoing(name);
  const result = resultHandling(analysis, fn, call);
  return result.handled ? 'handled' : result.reason;
};

describe('resultHandling', () => {
  test('checks that decide something count as handled', () => {
    for (const name of [
      'required',
      'ifRevert',
      'ifComparedRevert',
      'failureRecorded',
      'successRecorded',
      'storedRequired',
      'returned',
      'namedReturn',
      'kept',
    ])
      expect([name, handling(name)]).toEqual([name, 'handled']);
  });

  test('discarded, dropped, unread, logged or tested without effect: not handled, with the reason', () => {
    expect(handling('discarded')).toBe('its result is discarded');
    expect(handling('requiredNegated')).toBe('the require around it passes even when the call fails');
    expect(handling('ifEmptyBranch')).toBe('the `if` around it does the same whether the call fails or not');
    expect(handling('ifRevertOnSuccess')).toMatch(/only a revert when it succeeds/);
    expect(handling('storedUnread')).toBe('its result is stored in `ok` and never read');
    expect(handling('storedDeadBranch')).toBe('the `if` around it does the same whether the call fails or not');
    expect(handling('flagDropped')).toBe('its success flag is dropped from the assignment');
    expect(handling('logged')).toBe('its result is only logged');
    expect(handling('loggedLocal')).toBe('`ok` is only logged');
  });

  test('0.4: `if (!to.send(v)) throw;` handles the result', () => {
    const { program: p, analysis: a } = analyseSource(`pragma solidity ^0.4.24;
      contract Old { function f(address to) public { if (!to.send(1)) throw; } function g(address to) public { to.send(1); } }`);
    const ask = (name: string) => {
      const fn = functionNamed(p, 'Old', name);
      return resultHandling(a, fn, a.facts(fn).calls.find((c) => c.kind === 'send')!).handled;
    };
    expect([ask('f'), ask('g')]).toEqual([true, false]);
  });
});

describe('failureReverts', () => {
  test('transfer and high-level calls revert; send and low-level calls only when a check reverts', () => {
    const reverts = (name: string) => failureReverts(analysis, ...outgoing(name));
    expect(
      Object.fromEntries(
        [
          'high',
          'required',
          'ifRevert',
          'storedRequired',
          'discarded',
          'failureRecorded',
          'storedUnread',
          'requiredNegated',
        ].map((n) => [n, reverts(n)]),
      ),
    ).toEqual({
      high: true,
      required: true,
      ifRevert: true,
      storedRequired: true,
      discarded: false,
      failureRecorded: false,
      storedUnread: false,
      requiredNegated: false,
    });
  });
});

describe('neverInvokedCall', () => {
  test('`a.call.value(v);` as a statement is never made; with `()` it is', () => {
    const { program: p, analysis: a } = analyseSource(`pragma solidity ^0.4.24;
      contract Old {
        function configured(address to) public { to.call.value(1); to.call.gas(5000).value(1); }
        function made(address to) public { to.call.value(1)(); }
      }`);
    const never = (name: string) => a.facts(functionNamed(p, 'Old', name)).calls.filter(neverInvokedCall).length;
    expect([never('configured'), never('made')]).toEqual([2, 0]);
  });
});

describe('erc20Call', () => {
  test('ERC-20 methods on token types, with or without a bool return; ERC-721 and non-tokens are not', () => {
    const fn = functionNamed(program, 'C', 'tokens');
    expect(
      analysis
        .facts(fn)
        .calls.filter((c) => c.kind === 'external')
        .map((c) => erc20Call(analysis, fn, c)),
    ).toEqual([
      { method: 'transfer', declaresBool: true, tokenType: 'IERC20' },
      { method: 'approve', declaresBool: true, tokenType: 'IERC20' },
      { method: 'transfer', declaresBool: false, tokenType: 'IUsdt' },
      undefined,
      undefined,
    ]);
  });
});
