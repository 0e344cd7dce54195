import { describe, expect, test } from 'vitest';
import { sourceText } from './sourceText.ts';
import { analyseSource, functionNamed } from './testing.ts';
import { valueTransfers } from './valueTransfers.ts';

describe('valueTransfers', () => {
  const { program, analysis } = analyseSource(`pragma solidity ^0.8.0;
    interface IERC20 { function transfer(address to, uint v) external returns (bool); function transferFrom(address f, address to, uint v) external returns (bool); }
    library SafeERC20 {
      function safeTransfer(IERC20 t, address to, uint v) internal { require(t.transfer(to, v)); }
    }
    contract C {
      using SafeERC20 for IERC20;
      IERC20 token;
      address payable treasury;
      function pay(address payable to, uint amount) external {
        to.transfer(amount);
        treasury.send(amount);
        (bool ok, ) = to.call{value: amount}("");
        to.call{value: 0}("");
        to.call("");
        token.transfer(to, amount);
        token.transferFrom(msg.sender, treasury, amount);
        token.safeTransfer(to, amount);
        token.approve(to, amount);
      }
      function none() external view returns (uint) { return 1; }
    }`);

  test('ether and ERC-20 payments in source order, with recipient and amount; zero-value and non-paying calls left out', () => {
    const pay = functionNamed(program, 'C', 'pay');
    const text = (n: Parameters<typeof sourceText>[1] | undefined) => (n ? sourceText(pay, n) : undefined);
    expect(
      valueTransfers(pay, analysis).map((t) => [t.asset, text(t.node), text(t.recipient), text(t.amount)]),
    ).toEqual([
      ['ether', 'to.transfer(amount)', 'to', 'amount'],
      ['ether', 'treasury.send(amount)', 'treasury', 'amount'],
      ['ether', 'to.call{value: amount}("")', 'to', 'amount'],
      ['token', 'token.transfer(to, amount)', 'to', 'amount'],
      ['token', 'token.transferFrom(msg.sender, treasury, amount)', 'treasury', 'amount'],
      ['token', 'token.safeTransfer(to, amount)', 'to', 'amount'],
    ]);
  });

  test('a function without payments has none', () => {
    expect(valueTransfers(functionNamed(program, 'C', 'none'), analysis)).toEqual([]);
  });

  test('0.4 `call.value()()` pays ether', () => {
    const { program: p, analysis: a } = analyseSource(`pragma solidity ^0.4.24;
      contract Old { function f(address to) public { if (!to.call.value(this.balance)()) throw; } }`);
    const f = functionNamed(p, 'Old', 'f');
    expect(valueTransfers(f, a).map((t) => [t.asset, sourceText(f, t.recipient!), sourceText(f, t.amount!)])).toEqual([
      ['ether', 'to', 'this.balance'],
    ]);
  });
});
