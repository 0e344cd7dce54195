import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { missingCircuitBreaker } from './missing-circuit-breaker.ts';

const ownable = `
abstract contract Ownable {
  address public owner;
  constructor() { owner = msg.sender; }
  modifier onlyOwner() { require(msg.sender == owner, "not owner"); _; }
  function transferOwnership(address next) external onlyOwner { owner = next; }
}`;

describe('missing-circuit-breaker', () => {
  test('default: an ownable vault with no pause', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
${ownable}
contract Vault is Ownable {
  mapping(address => uint256) public balances;
  uint256 public fee;
  function deposit() external payable { balances[msg.sender] += msg.value; }
  function withdraw(uint256 amount) external {
    balances[msg.sender] -= amount;
    (bool ok, ) = msg.sender.call{value: amount}("");
    require(ok);
  }
  function setFee(uint256 f) external onlyOwner { fee = f; }
}`,
      missingCircuitBreaker,
    );
    expect(findingLines(findings)).toEqual([9]);
    // Advisory: immutability is a design choice the governance gate weighs, not a bug to fix.
    expect(findings[0].impact).toBe('low');
    expect(findings[0].location.endLine).toBe(9);
    expect(findings[0].message).toContain('Vault');
    expect(findings[0].message).toContain('withdraw sends ether');
  });

  test('behavior: a pausable vault whose modifier reads the flag through a view is clean', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.20;
${ownable}
abstract contract Pausable is Ownable {
  bool private _paused;
  error EnforcedPause();
  function paused() public view returns (bool) { return _paused; }
  function _requireNotPaused() internal view { if (paused()) revert EnforcedPause(); }
  modifier whenNotPaused() { _requireNotPaused(); _; }
  function pause() external onlyOwner { _paused = true; }
  function unpause() external onlyOwner { _paused = false; }
}
contract Vault is Pausable {
  mapping(address => uint256) public balances;
  function deposit() external payable whenNotPaused { balances[msg.sender] += msg.value; }
  function withdraw(uint256 amount) external whenNotPaused {
    balances[msg.sender] -= amount;
    payable(msg.sender).transfer(amount);
  }
}`,
      missingCircuitBreaker,
    );
    expect(findings).toEqual([]);
  });

  test('behavior: 0.4 vault with an owner-set stop flag is clean, without it is reported', () => {
    const stopped = scanSource(
      `pragma solidity ^0.4.24;
contract Vault {
  address owner;
  bool stopped;
  mapping(address => uint) balances;
  function Vault() public { owner = msg.sender; }
  function toggle() public { require(msg.sender == owner); stopped = !stopped; }
  function deposit() public payable { require(!stopped); balances[msg.sender] += msg.value; }
  function withdraw(uint amount) public {
    require(!stopped && balances[msg.sender] >= amount);
    balances[msg.sender] -= amount;
    require(msg.sender.call.value(amount)());
  }
}`,
      missingCircuitBreaker,
    );
    expect(stopped).toEqual([]);
    const open = scanSource(
      `pragma solidity ^0.4.24;
contract Vault {
  address owner;
  mapping(address => uint) balances;
  function Vault() public { owner = msg.sender; }
  function sweep() public { require(msg.sender == owner); owner.transfer(this.balance); }
  function deposit() public payable { balances[msg.sender] += msg.value; }
  function withdraw(uint amount) public {
    require(balances[msg.sender] >= amount);
    balances[msg.sender] -= amount;
    require(msg.sender.call.value(amount)());
  }
}`,
      missingCircuitBreaker,
    );
    expect(findingLines(open)).toEqual([2]);
    expect(open[0].impact).toBe('low');
  });

  test('behavior: a selfdestruct behind access control is a way to terminate', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract Vault {
  address payable owner;
  mapping(address => uint) balances;
  constructor() public { owner = msg.sender; }
  function deposit() public payable { balances[msg.sender] += msg.value; }
  function withdraw(uint amount) public {
    balances[msg.sender] -= amount;
    msg.sender.transfer(amount);
  }
  function kill() public { require(msg.sender == owner); selfdestruct(owner); }
}`,
      missingCircuitBreaker,
    );
    expect(findings).toEqual([]);
  });

  test('behavior: a contract with no privileged role at all is reported as low', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Wrapper {
  mapping(address => uint256) public balanceOf;
  function deposit() external payable { balanceOf[msg.sender] += msg.value; }
  function withdraw(uint256 wad) external {
    require(balanceOf[msg.sender] >= wad);
    balanceOf[msg.sender] -= wad;
    payable(msg.sender).transfer(wad);
  }
}`,
      missingCircuitBreaker,
    );
    expect(findingLines(findings)).toEqual([2]);
    expect(findings[0].impact).toBe('low');
    expect(findings[0].message).toContain('no privileged role');
  });

  test('behavior: a staking pool moving ERC-20 tokens, paused through a controller contract, is clean', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
interface IERC20 { function transfer(address to, uint256 v) external returns (bool); function transferFrom(address f, address t, uint256 v) external returns (bool); }
interface IController { function allowed(address pool) external view returns (bool); }
contract Pool {
  IERC20 public token;
  IController public controller;
  mapping(address => uint256) public staked;
  function stake(uint256 v) external { token.transferFrom(msg.sender, address(this), v); staked[msg.sender] += v; }
  function unstake(uint256 v) external {
    require(controller.allowed(address(this)), "halted");
    staked[msg.sender] -= v;
    token.transfer(msg.sender, v);
  }
}`,
      missingCircuitBreaker,
    );
    expect(findings).toEqual([]);
  });

  test('fp: a modifier whose code was not scanned may be the pause check', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
import "./Pausable.sol";
contract Vault is Pausable {
  mapping(address => uint256) public balances;
  function deposit() external payable whenNotPaused { balances[msg.sender] += msg.value; }
  function withdraw(uint256 a) external whenNotPaused { balances[msg.sender] -= a; payable(msg.sender).transfer(a); }
}`,
      missingCircuitBreaker,
    );
    expect(findings).toEqual([]);
  });

  test('fp: a nonReentrant lock is not a circuit breaker', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
${ownable}
interface IERC20 { function transfer(address to, uint256 v) external returns (bool); }
contract Pool is Ownable {
  IERC20 public token;
  uint256 private locked = 1;
  mapping(address => uint256) public staked;
  modifier nonReentrant() { require(locked == 1); locked = 2; _; locked = 1; }
  function unstake(uint256 v) external nonReentrant { staked[msg.sender] -= v; token.transfer(msg.sender, v); }
  function setToken(IERC20 t) external onlyOwner { token = t; }
}`,
      missingCircuitBreaker,
    );
    expect(findingLines(findings)).toEqual([10]);
  });

  test('fp: bases, libraries, interfaces, proxies and contracts without value are not reported', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
library Math { function add(uint a, uint b) internal pure returns (uint) { return a + b; } }
interface IVault { function withdraw(uint256) external; }
contract Base {
  mapping(address => uint256) public balances;
  function deposit() external payable { balances[msg.sender] += msg.value; }
  function withdraw(uint256 a) external { balances[msg.sender] -= a; payable(msg.sender).transfer(a); }
}
contract Derived is Base { bool public stopped; address owner; function stop() external { require(msg.sender == owner); stopped = true; } function ping() external { require(!stopped); } }
contract Proxy {
  address implementation;
  fallback() external payable { (bool ok, ) = implementation.delegatecall(msg.data); require(ok); }
  receive() external payable {}
}
contract Registry { mapping(bytes32 => address) public entries; function set(bytes32 k, address v) external { entries[k] = v; } }`,
      missingCircuitBreaker,
    );
    // Derived inherits the unguarded withdraw: its flag gates ping() only.
    expect(findingLines(findings)).toEqual([9]);
  });

  test('fp: a one-shot initialiser that pays a refund does not make a wallet value-moving', () => {
    const findings = scanSource(
      `pragma solidity ^0.7.0;
contract Wallet {
  uint256 public threshold;
  address public owner;
  receive() external payable {}
  function setup(uint256 t, address payable refund, uint256 payment) external {
    require(threshold == 0, "initialised");
    threshold = t;
    owner = msg.sender;
    if (payment > 0) refund.transfer(payment);
  }
  function exec(address payable to, uint256 v) external { require(msg.sender == owner); to.transfer(v); }
}`,
      missingCircuitBreaker,
    );
    expect(findings).toEqual([]);
  });
  test('fp: a public sweep to a recovery vault the caller cannot pick (Aragon transferToVault)', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
${ownable}
interface IERC20 { function transfer(address to, uint256 v) external returns (bool); function balanceOf(address a) external view returns (uint256); }
contract Recoverable is Ownable {
  address public vault;
  function setVault(address v) external onlyOwner { vault = v; }
  function transferToVault(IERC20 token) external {
    token.transfer(vault, token.balanceOf(address(this)));
  }
}
contract Faucet is Ownable {
  function drip(IERC20 token, address to) external {
    token.transfer(to, token.balanceOf(address(this)));
  }
}`,
      missingCircuitBreaker,
    );
    // The faucet, whose caller picks the recipient, keeps its finding.
    expect(findings.map((f) => f.message.split(' ')[0])).toEqual(['Faucet']);
  });
});
