import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { reentrancyEth } from './reentrancy-eth.ts';

describe('reentrancy-eth', () => {
  test('default: call with value before the balance update', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract Bank {
  mapping(address => uint) balances;
  function withdraw(uint amount) public {
    require(balances[msg.sender] >= amount);
    (bool ok, ) = msg.sender.call.value(amount)("");
    require(ok);
    balances[msg.sender] -= amount;
  }
}`,
      reentrancyEth,
    );
    expect(findingLines(findings)).toEqual([6]);
    expect(findings[0].impact).toBe('high');
    expect(findings[0].related.map((r) => r.startLine)).toContain(8);
    expect(findings[0].message).toContain('Bank.withdraw');
  });

  test('behavior: 0.4 call.value()() and a flag read in the require', () => {
    const findings = scanSource(
      `pragma solidity ^0.4.24;
contract Once {
  bool notCalled = true;
  function claim() public {
    require(notCalled);
    if (!msg.sender.call.value(1 ether)()) revert();
    notCalled = false;
  }
}`,
      reentrancyEth,
    );
    expect(findingLines(findings)).toEqual([6]);
  });

  test('behavior: 0.8 {value:} in an internal helper, state written by the caller afterwards', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Vault {
  mapping(address => uint256) public credit;
  function _pay(address to, uint256 amount) internal {
    (bool ok, ) = to.call{value: amount}("");
    require(ok, "pay");
  }
  function withdraw() external {
    uint256 amount = credit[msg.sender];
    _pay(msg.sender, amount);
    credit[msg.sender] = 0;
  }
}`,
      reentrancyEth,
    );
    // Reported where the reviewer must look: the entry point's call to the helper; the helper's call is related.
    expect(findingLines(findings)).toEqual([10]);
    expect(findings[0].related.map((r) => [r.startLine, r.message])).toContainEqual([5, 'the call in Vault._pay']);
    expect(findings[0].message).toContain('reached from Vault.withdraw');
  });

  test('behavior: one helper reached from two entry points is one finding, the other entry related', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Vault {
  mapping(address => uint256) public credit;
  function _pay(address to, uint256 amount) internal {
    (bool ok, ) = to.call{value: amount}("");
    require(ok, "pay");
  }
  function withdraw() external {
    _pay(msg.sender, credit[msg.sender]);
    credit[msg.sender] = 0;
  }
  function withdrawTo(address to) external {
    _pay(to, credit[msg.sender]);
    credit[msg.sender] = 0;
  }
}`,
      reentrancyEth,
    );
    expect(findings).toHaveLength(1);
    const lines = [findings[0].location.startLine, ...findings[0].related.map((r) => r.startLine)];
    expect(lines).toEqual(expect.arrayContaining([5, 9, 13]));
  });

  test('behavior: a public function called from another is reported once, in itself', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Vault {
  mapping(address => uint256) public credit;
  function withdraw() public {
    (bool ok, ) = msg.sender.call{value: credit[msg.sender]}("");
    require(ok, "pay");
    credit[msg.sender] = 0;
  }
  function exit() external {
    withdraw();
  }
}`,
      reentrancyEth,
    );
    expect(findingLines(findings)).toEqual([5]);
  });

  test('behavior: a guard on the only entry point covers the helper', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Vault {
  address owner;
  mapping(address => uint256) public credit;
  function _pay(address to, uint256 amount) internal {
    (bool ok, ) = to.call{value: amount}("");
    require(ok, "pay");
  }
  function withdraw() external {
    require(msg.sender == owner);
    _pay(msg.sender, credit[msg.sender]);
    credit[msg.sender] = 0;
  }
}`,
      reentrancyEth,
    );
    expect(findings).toEqual([]);
  });

  test('behavior: state updated first is clean', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Bank {
  mapping(address => uint) balances;
  function withdraw(uint amount) public {
    balances[msg.sender] -= amount;
    (bool ok, ) = msg.sender.call{value: amount}("");
    require(ok);
  }
}`,
      reentrancyEth,
    );
    expect(findings).toEqual([]);
  });

  test('behavior: a nonReentrant-style guard silences it', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Bank {
  mapping(address => uint) balances;
  bool locked;
  modifier guard() { require(!locked); locked = true; _; locked = false; }
  function withdraw(uint amount) public guard {
    (bool ok, ) = msg.sender.call{value: amount}("");
    require(ok);
    balances[msg.sender] -= amount;
  }
}`,
      reentrancyEth,
    );
    expect(findings).toEqual([]);
  });

  test('behavior: a recipient fixed by the deployer lowers the finding to medium', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Fees {
  address payable immutable treasury;
  uint256 owed;
  constructor(address payable t) { treasury = t; }
  function sweep() external {
    (bool ok, ) = treasury.call{value: owed}("");
    require(ok);
    owed = 0;
  }
}`,
      reentrancyEth,
    );
    expect(findingLines(findings)).toEqual([7]);
    expect(findings[0].impact).toBe('medium');
  });

  test('fp: a write after the call to state not read before it', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Tip {
  uint256 public tips;
  function tip(address payable to) external payable {
    (bool ok, ) = to.call{value: msg.value}("");
    require(ok);
    tips += 1;
  }
}`,
      reentrancyEth,
    );
    expect(findings).toEqual([]);
  });

  test('fp: only the owner can call the function', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Owned {
  address owner;
  mapping(address => uint256) pending;
  function pay(address payable to) external {
    require(msg.sender == owner);
    (bool ok, ) = to.call{value: pending[to]}("");
    require(ok);
    pending[to] = 0;
  }
}`,
      reentrancyEth,
    );
    expect(findings).toEqual([]);
  });

  test('fp: state checked again after the call (a re-entrant change makes the outer call revert)', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Timelock {
  mapping(bytes32 => uint256) timestamps;
  function ready(bytes32 id) public view returns (bool) { return timestamps[id] > 1 && timestamps[id] <= block.timestamp; }
  function execute(bytes32 id, address target, uint256 value, bytes calldata data) external payable {
    require(ready(id));
    (bool ok, ) = target.call{value: value}(data);
    require(ok);
    require(ready(id));
    timestamps[id] = 1;
  }
}`,
      reentrancyEth,
    );
    expect(findings).toEqual([]);
  });

  test('fp: with 0.8 checked arithmetic a decrement after the call reverts a re-entrant overdraw', () => {
    const source = (update: string) => `pragma solidity ^0.8.0;
contract Bank {
  mapping(address => uint256) balances;
  function withdraw(uint256 amount) external {
    require(balances[msg.sender] >= amount);
    (bool ok, ) = msg.sender.call{value: amount}("");
    require(ok);
    ${update}
  }
}`;
    expect(scanSource(source('balances[msg.sender] -= amount;'), reentrancyEth)).toEqual([]);
    expect(findingLines(scanSource(source('unchecked { balances[msg.sender] -= amount; }'), reentrancyEth))).toEqual([
      6,
    ]);
    expect(findingLines(scanSource(source('balances[msg.sender] = 0;'), reentrancyEth))).toEqual([6]);
  });

  test('fp: a 2300 gas stipend is not this detector (see reentrancy-send)', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract Bank {
  mapping(address => uint) balances;
  function withdraw() public {
    (bool ok, ) = msg.sender.call.gas(2300).value(balances[msg.sender])("");
    require(ok);
    balances[msg.sender] = 0;
  }
}`,
      reentrancyEth,
    );
    expect(findings).toEqual([]);
  });
});
