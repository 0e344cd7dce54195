import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { unprotectedEtherWithdrawal } from './unprotected-ether-withdrawal.ts';

const scan = (source: string) => scanSource(source, unprotectedEtherWithdrawal);

describe('unprotected-ether-withdrawal', () => {
  test('default: a fixed amount paid to any caller', () => {
    const findings = scan(`pragma solidity ^0.5.0;
contract Faucet {
  function deposit() payable public {}
  function gift() payable public {
    msg.sender.transfer(1 ether);
  }
}`);
    expect(findingLines(findings)).toEqual([5]);
    expect(findings[0].message).toContain('Faucet.gift');
    expect(findings[0].confidence).toBe('high');
  });

  test('behavior: parameter destination and amount, 0.4 call.value', () => {
    const findings = scan(`pragma solidity ^0.4.24;
contract Wallet {
  function pay(address to, uint amount) public {
    require(to.call.value(amount)());
  }
  function sendAll(address to) public {
    to.send(this.balance);
  }
}`);
    expect(findingLines(findings)).toEqual([4, 7]);
  });

  test('behavior: 0.8 call{value:} through an internal helper is reported at the entry', () => {
    const findings = scan(`pragma solidity ^0.8.0;
contract Vault {
  function _pay(address payable to, uint amount) internal {
    (bool ok, ) = to.call{value: amount}("");
    require(ok);
  }
  function withdraw(address payable to) external {
    _pay(to, address(this).balance);
  }
}`);
    expect(findingLines(findings)).toEqual([8]);
    expect(findings[0].related.map((r) => r.startLine)).toContain(4);
  });

  test('behavior: a destination anyone can set is caller-controlled', () => {
    const findings = scan(`pragma solidity ^0.8.0;
contract Fees {
  address payable public collector;
  function setCollector(address payable c) external { collector = c; }
  function sweep() external { collector.transfer(address(this).balance); }
}`);
    expect(findingLines(findings)).toEqual([5]);
  });

  test('fp: owner-only withdrawal (modifier and inline check)', () => {
    const findings = scan(`pragma solidity ^0.8.0;
contract Owned {
  address owner = msg.sender;
  modifier onlyOwner() { require(msg.sender == owner); _; }
  function withdraw() external onlyOwner { payable(msg.sender).transfer(address(this).balance); }
  function withdrawTo(address payable to) external { if (msg.sender != owner) revert(); to.transfer(1 ether); }
}`);
    expect(findings).toEqual([]);
  });

  test('fp: owner check in a helper that returns the comparison (0.5 Ownable.isOwner)', () => {
    const findings = scan(`pragma solidity ^0.5.0;
contract Owned {
  address private _owner;
  function isOwner() public view returns (bool) { return msg.sender == _owner; }
  modifier onlyOwner() { require(isOwner()); _; }
  function withdraw(address payable to) public onlyOwner { to.transfer(address(this).balance); }
}`);
    expect(findings).toEqual([]);
  });

  test("fp: paying out the caller's recorded balance", () => {
    const findings = scan(`pragma solidity ^0.5.0;
contract Bank {
  mapping(address => uint) balances;
  struct User { uint owed; }
  mapping(address => User) users;
  function withdraw() public {
    uint amount = balances[msg.sender];
    balances[msg.sender] = 0;
    msg.sender.transfer(amount);
  }
  function claim() public {
    User storage u = users[msg.sender];
    uint owed = u.owed;
    u.owed = 0;
    msg.sender.transfer(owed);
  }
  function withdrawFor(address payable payee) public {
    uint amount = balances[payee];
    balances[payee] = 0;
    payee.transfer(amount);
  }
}`);
    expect(findings).toEqual([]);
  });

  test("behavior: the caller's balance is checked or paid but never reduced (SWC-105 refund)", () => {
    const findings = scan(`pragma solidity ^0.4.24;
contract Wallet {
  mapping(address => uint256) balances;
  function deposit() public payable { balances[msg.sender] += msg.value; }
  function refund() public { msg.sender.transfer(balances[msg.sender]); }
  function withdraw(uint256 amount) public {
    require(amount <= balances[msg.sender]);
    msg.sender.transfer(amount);
  }
}`);
    expect(findingLines(findings)).toEqual([5, 8]);
    expect(findings[0].message).toContain('never reduces it');
  });

  test('fp: paying a payee stored by the contract, picked by index', () => {
    const findings = scan(`pragma solidity ^0.8.0;
contract Payroll {
  address payable[] payees;
  function pay(uint i) external {
    payees[i].transfer(1 ether);
  }
}`);
    expect(findings).toEqual([]);
  });

  test('fp: refunds bounded by msg.value and forwarding the payment', () => {
    const findings = scan(`pragma solidity ^0.8.0;
contract Shop {
  uint price = 1 ether;
  address payable immutable treasury;
  constructor(address payable t) { treasury = t; }
  function buy() external payable {
    require(msg.value >= price);
    payable(msg.sender).transfer(msg.value - price);
  }
  function forward(address payable to) external payable { to.transfer(msg.value); }
  function pay(address payable to, uint amount) external payable {
    require(msg.value >= amount);
    to.transfer(amount);
  }
  function fee() external payable { treasury.transfer(msg.value / 10); }
}`);
    expect(findings).toEqual([]);
  });

  test('fp: a once-only initialiser and a signature-authorised payout', () => {
    const findings = scan(`pragma solidity ^0.8.0;
contract Init {
  bool initialized;
  address signer;
  function setup(address payable relayer, uint fee) external {
    require(!initialized);
    initialized = true;
    relayer.transfer(fee);
  }
  function payWithSig(address payable to, uint amount, uint8 v, bytes32 r, bytes32 s) external {
    require(ecrecover(keccak256(abi.encode(to, amount)), v, r, s) == signer);
    to.transfer(amount);
  }
}`);
    expect(findings).toEqual([]);
  });

  test('behavior: a guard on time only is still open (medium confidence)', () => {
    const findings = scan(`pragma solidity ^0.5.0;
contract Game {
  uint start;
  function claim() public {
    if (start + 1 days == block.timestamp) msg.sender.transfer(address(this).balance);
  }
}`);
    expect(findingLines(findings)).toEqual([5]);
    expect(findings[0].confidence).toBe('medium');
  });
  test('fp: ether paid out after the caller paid in tokens through a library pull (a swap)', () => {
    const findings = scan(`pragma solidity =0.6.6;
library TransferHelper {
  function safeTransferFrom(address token, address from, address to, uint value) internal {
    (bool ok, ) = token.call(abi.encodeWithSelector(0x23b872dd, from, to, value));
    require(ok);
  }
  function safeTransferETH(address to, uint value) internal {
    (bool ok, ) = to.call{value: value}(new bytes(0));
    require(ok);
  }
}
contract Router {
  uint rate = 2;
  function swapTokensForETH(address token, uint amountIn, address to) external {
    TransferHelper.safeTransferFrom(token, msg.sender, address(this), amountIn);
    TransferHelper.safeTransferETH(to, amountIn / rate);
  }
  function sweep(address to, uint amount) external {
    TransferHelper.safeTransferETH(to, amount);
  }
}`);
    // The sweep takes nothing from the caller and keeps its finding.
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toContain('Router.sweep');
  });
});
