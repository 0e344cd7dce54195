import { findAll, type Node } from '@bulwark/solidity';
import { describe, expect, test } from 'vitest';
import { ownBalance } from './balances.ts';
import { analyseSource, functionNamed } from './testing.ts';

describe('ownBalance', () => {
  const { program, analysis } = analyseSource(`pragma solidity ^0.8.0;
    interface IERC20 { function balanceOf(address a) external view returns (uint); }
    contract C {
      IERC20 token;
      address other;
      function f(address who) external view returns (uint[9] memory r) {
        uint held = address(this).balance;
        uint mine = token.balanceOf(address(this));
        uint moved = 1;
        moved = address(this).balance;
        r = [address(this).balance, token.balanceOf(address(this)), held, mine, (address(this).balance),
             other.balance, token.balanceOf(who), moved, msg.sender.balance];
      }
    }`);
  const f = functionNamed(program, 'C', 'f');
  const [array] = findAll(f.body!, (n) => n.type === 'TupleExpression' && n.isArray);

  test('ether and token balances of this contract, directly, in parentheses or through a local set once', () => {
    expect(array!.components.map((c: Node) => ownBalance(c, f, analysis))).toEqual([
      'ether balance',
      'token balance',
      'ether balance',
      'token balance',
      'ether balance',
      undefined, // another address's balance
      undefined, // a token balance of someone else
      undefined, // a local reassigned: its value is not known to be the balance
      undefined,
    ]);
  });

  test('0.4 `this.balance` is the contract balance too', () => {
    const { program: p, analysis: a } = analyseSource(`pragma solidity ^0.4.24;
      contract Old { function f() public view returns (uint) { return this.balance; } }`);
    const old = functionNamed(p, 'Old', 'f');
    const [ret] = findAll(old.body!, 'ReturnStatement');
    expect(ownBalance(ret!.expression, old, a)).toBe('ether balance');
  });
});
