import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { singleEoaOwner } from './single-eoa-owner.ts';

const ownable = `
abstract contract Ownable {
  address private _owner;
  constructor() { _owner = msg.sender; }
  function owner() public view returns (address) { return _owner; }
  modifier onlyOwner() { require(owner() == msg.sender, "not owner"); _; }
  function transferOwnership(address next) public onlyOwner { _owner = next; }
}`;

describe('single-eoa-owner', () => {
  test('default: the owner of a vault can drain it and mint alone', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
${ownable}
contract Vault is Ownable {
  mapping(address => uint256) public shares;
  function deposit() external payable { shares[msg.sender] += msg.value; }
  function emergencyWithdraw(address payable to) external onlyOwner { to.transfer(address(this).balance); }
  function grant(address to, uint256 amount) external onlyOwner { shares[to] += amount; }
}`,
      singleEoaOwner,
    );
    expect(findingLines(findings)).toEqual([10]);
    expect(findings[0].impact).toBe('medium');
    expect(findings[0].message).toContain('`_owner`');
    expect(findings[0].message).toContain('move funds');
    expect(findings[0].message).toContain('mint');
    expect(findings[0].related.map((r) => r.startLine)).toEqual(expect.arrayContaining([4, 13, 14]));
  });

  test('fp: upgrade power over other contracts is a deployment fact (low), not a medium finding', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
${ownable}
interface IProxy { function upgradeTo(address impl) external; }
contract ProxyAdmin is Ownable {
  function upgrade(IProxy proxy, address impl) external onlyOwner { proxy.upgradeTo(impl); }
}
contract Registry is Ownable {
  mapping(bytes32 => address) public proxies;
  function setImpl(bytes32 id, address impl) external onlyOwner { IProxy(proxies[id]).upgradeTo(impl); }
}`,
      singleEoaOwner,
    );
    // Still reported, so the governance gate's holder check has its evidence, but as low.
    expect(findings.map((f) => [f.message.split(' ')[0], f.impact])).toEqual([
      ['ProxyAdmin', 'low'],
      ['Registry', 'low'],
    ]);
  });

  test('behavior: 0.5 token whose owner can pause transfers', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract Token {
  address public owner;
  bool public paused;
  mapping(address => uint) balances;
  constructor() public { owner = msg.sender; }
  function setPaused(bool p) public { require(msg.sender == owner); paused = p; }
  function transfer(address to, uint v) public returns (bool) {
    require(!paused);
    balances[msg.sender] -= v;
    balances[to] += v;
    return true;
  }
}`,
      singleEoaOwner,
    );
    expect(findingLines(findings)).toEqual([2]);
    expect(findings[0].message).toContain('pause');
    // Freezing a token's own ledger is a power whose holder the deployment decides: low.
    expect(findings[0].impact).toBe('low');
  });

  test('fp: ether the contract merely accepts, and a token whose transferFrom is its own, are no deposits of others', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
${ownable}
contract Bounty is Ownable {
  receive() external payable {}
  function destroy() external onlyOwner { selfdestruct(payable(owner())); }
}
contract BaseToken {
  mapping(address => uint256) public balanceOf;
  function transferFrom(address from, address to, uint256 v) public virtual returns (bool) {
    balanceOf[from] -= v; balanceOf[to] += v; return true;
  }
}
contract PausableToken is BaseToken, Ownable {
  bool public paused;
  function pause() external onlyOwner { paused = true; }
  function transferFrom(address from, address to, uint256 v) public override returns (bool) {
    require(!paused);
    return super.transferFrom(from, to, v);
  }
}`,
      singleEoaOwner,
    );
    expect(findings.map((f) => [f.message.split(' ')[0], f.impact])).toEqual([
      ['Bounty', 'low'],
      ['PausableToken', 'low'],
    ]);
  });

  test('behavior: a Safe-owned contract (authority typed as a contract) is clean', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
interface ISafe { function getThreshold() external view returns (uint256); }
contract Treasury {
  ISafe public immutable safe;
  constructor(ISafe s) { safe = s; }
  modifier onlySafe() { require(msg.sender == address(safe)); _; }
  function pay(address payable to, uint256 v) external onlySafe { to.transfer(v); }
  receive() external payable {}
}`,
      singleEoaOwner,
    );
    expect(findings).toEqual([]);
  });

  test('behavior: powers behind a delay or an approval quorum are clean', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
${ownable}
contract DelayedVault is Ownable {
  uint256 public unlockAt;
  function queue() external onlyOwner { unlockAt = block.timestamp + 2 days; }
  function sweep(address payable to) external onlyOwner {
    require(unlockAt != 0 && block.timestamp >= unlockAt, "timelocked");
    unlockAt = 0;
    to.transfer(address(this).balance);
  }
}
contract QuorumVault {
  address public admin;
  uint256 public required = 3;
  mapping(uint256 => uint256) public approvals;
  constructor() { admin = msg.sender; }
  function sweep(uint256 id, address payable to) external {
    require(msg.sender == admin);
    require(approvals[id] >= required, "needs approvals");
    to.transfer(address(this).balance);
  }
}`,
      singleEoaOwner,
    );
    expect(findings).toEqual([]);
  });

  test('behavior: minor powers only are low; ownership transfer alone is not reported', () => {
    const minor = scanSource(
      `pragma solidity ^0.8.0;
${ownable}
contract Registry is Ownable {
  string public name;
  function setName(string calldata n) external onlyOwner { name = n; }
}
contract Plain is Ownable {}`,
      singleEoaOwner,
    );
    expect(findingLines(minor)).toEqual([10]);
    expect(minor[0].impact).toBe('low');
  });

  test('fp: an admin that is another contract created by the deployer is not an EOA', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Pair {
  address public factory;
  uint256 public reserve;
  constructor() { factory = msg.sender; }
  function skim(address payable to) external { require(msg.sender == factory); to.transfer(address(this).balance); }
}
contract Factory {
  function create() external returns (Pair p) { p = new Pair(); }
}`,
      singleEoaOwner,
    );
    expect(findings).toEqual([]);
  });
  test('fp: an escrow owned by the contract that creates it with new (the deployer is that contract)', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
${ownable}
contract Escrow is Ownable {
  function withdraw(address payable to) external onlyOwner { to.transfer(address(this).balance); }
  receive() external payable {}
}
contract Vault is Ownable {
  function drain(address payable to) external onlyOwner { to.transfer(address(this).balance); }
  receive() external payable {}
}
contract Sale {
  Escrow public escrow = new Escrow();
  function close(address payable to) external { escrow.withdraw(to); }
}`,
      singleEoaOwner,
    );
    // Vault, deployed by an account, keeps its finding; Escrow, created by Sale, does not.
    expect(findings.map((f) => f.message.split(' ')[0])).toEqual(['Vault']);
  });
  test('fp: an owner who can only reclaim what was sent by mistake to a contract that holds nothing of others', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
${ownable}
interface IERC20 { function transfer(address to, uint256 v) external returns (bool); function balanceOf(address a) external view returns (uint256); }
contract Reclaimable is Ownable {
  function reclaimEther() external onlyOwner { payable(owner()).transfer(address(this).balance); }
  function reclaimToken(IERC20 token) external onlyOwner { token.transfer(owner(), token.balanceOf(address(this))); }
}
contract Pool is Ownable {
  mapping(address => uint256) public deposits;
  function deposit() external payable { deposits[msg.sender] += msg.value; }
  function reclaimEther() external onlyOwner { payable(owner()).transfer(address(this).balance); }
}
contract Token is Ownable {
  mapping(address => uint256) public balanceOf;
  function transfer(address to, uint256 v) external { balanceOf[msg.sender] -= v; balanceOf[to] += v; }
  function transferAnyToken(IERC20 token, uint256 v) external onlyOwner { token.transfer(owner(), v); }
}`,
      singleEoaOwner,
    );
    // Reported low where nobody else's value is at stake (a token's owner rescuing stray tokens
    // cannot touch its holders' balances); the pool that keeps deposits stays medium.
    expect(findings.map((f) => [f.message.split(' ')[0], f.impact])).toEqual([
      ['Reclaimable', 'low'],
      ['Pool', 'medium'],
      ['Token', 'low'],
    ]);
  });
  test('fp: an escrow whose owner can only pay each payee its own deposit', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
${ownable}
library Address { function sendValue(address payable to, uint256 v) internal { (bool ok, ) = to.call{value: v}(""); require(ok); } }
contract Escrow is Ownable {
  using Address for address payable;
  mapping(address => uint256) public deposits;
  function deposit(address payee) external payable onlyOwner { deposits[payee] += msg.value; }
  function withdraw(address payable payee) public virtual onlyOwner {
    uint256 payment = deposits[payee];
    deposits[payee] = 0;
    payee.sendValue(payment);
  }
}
contract DirectEscrow is Ownable {
  mapping(address => uint256) public deposits;
  function deposit(address payee) external payable onlyOwner { deposits[payee] += msg.value; }
  function withdraw(address payable payee) public virtual onlyOwner {
    uint256 payment = deposits[payee];
    deposits[payee] = 0;
    payee.transfer(payment);
  }
}
contract ConditionalDirect is DirectEscrow {
  bool public open;
  function withdraw(address payable payee) public override { require(open); super.withdraw(payee); }
}
contract ConditionalEscrow is Escrow {
  bool public open;
  function withdraw(address payable payee) public override { require(open); super.withdraw(payee); }
}
contract Pot is Ownable {
  mapping(address => uint256) public deposits;
  function deposit(address payee) external payable onlyOwner { deposits[payee] += msg.value; }
  function withdraw(address payable payee, address payable to) external onlyOwner {
    uint256 payment = deposits[payee];
    deposits[payee] = 0;
    to.transfer(payment);
  }
}`,
      singleEoaOwner,
    );
    // Paying someone else's deposit to any address is a power to take it.
    expect(findings.map((f) => f.message.split(' ')[0])).toEqual(['Pot']);
  });
});
