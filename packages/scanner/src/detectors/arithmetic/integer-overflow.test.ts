import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { integerOverflow } from './integer-overflow.ts';

describe('integer-overflow', () => {
  test('default: caller-controlled addition and subtraction before 0.8', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract TimeLock {
  mapping(address => uint) public lockTime;
  mapping(address => uint) balances;
  function increaseLockTime(uint seconds_) public {
    lockTime[msg.sender] += seconds_;
  }
  function transfer(address to, uint value) public {
    balances[msg.sender] -= value;
    balances[to] += value;
  }
}`,
      integerOverflow,
    );
    expect(findingLines(findings)).toEqual([6, 9, 10]);
    expect(findings[0].impact).toBe('high');
    expect(findings[0].message).toContain('seconds_');
  });

  test('behavior: a constant operand that always wraps is reported with high confidence', () => {
    const findings = scanSource(
      `pragma solidity ^0.4.24;
contract C {
  function f() public {
    uint8 counter = 0;
    counter = counter - 10;
  }
}`,
      integerOverflow,
    );
    expect(findingLines(findings)).toEqual([5]);
    expect(findings[0].confidence).toBe('high');
  });

  test('fp: adding a parameter to a local that is zero cannot wrap', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract C {
  function f(uint8 p) public {
    uint8 total = 0;
    total = total + p;
  }
}`,
      integerOverflow,
    );
    expect(findings).toEqual([]);
  });

  test('fp: checks that bound the operands silence it', () => {
    const findings = scanSource(
      `pragma solidity ^0.4.24;
contract Token {
  mapping(address => uint) balances;
  uint total;
  function transfer(address to, uint value) public {
    require(value <= balances[msg.sender]);
    balances[msg.sender] -= value;
    balances[to] += value;
  }
  function add(uint a, uint b) public returns (uint) {
    uint c = a + b;
    require(c >= a);
    return c;
  }
  function mul(uint a, uint b) public returns (uint) {
    if (a == 0) return 0;
    uint c = a * b;
    assert(c / a == b);
    return c;
  }
}`,
      integerOverflow,
    );
    expect(findings).toEqual([]);
  });

  test('fp: SafeMath calls, loop counters and literals are not raw risks', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
library SafeMath {
  function add(uint a, uint b) internal pure returns (uint) { uint c = a + b; require(c >= a); return c; }
}
contract C {
  using SafeMath for uint;
  uint constant DECIMALS = 18;
  uint supply;
  uint[] items;
  function mint(uint amount) public {
    supply = supply.add(amount);
    uint scaled = 1000 * 10 ** DECIMALS;
    for (uint i = 0; i < items.length; i++) { items[i] = scaled; }
  }
}`,
      integerOverflow,
    );
    expect(findings).toEqual([]);
  });

  test('fp: Solidity 0.8 reverts on overflow', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract C {
  mapping(address => uint) balances;
  function transfer(address to, uint value) public {
    balances[msg.sender] -= value;
    balances[to] += value;
  }
}`,
      integerOverflow,
    );
    expect(findings).toEqual([]);
  });

  test('behavior: an internal helper is reported when a public caller passes user input unchecked', () => {
    const findings = scanSource(
      `pragma solidity ^0.4.24;
contract C {
  mapping(address => uint) balances;
  function withdraw(uint amount) public { _debit(msg.sender, amount); }
  function _debit(address who, uint amount) internal { balances[who] -= amount; }
}`,
      integerOverflow,
    );
    expect(findingLines(findings)).toEqual([5]);
  });

  test('behavior: owner-only arithmetic is kept but lowered', () => {
    const findings = scanSource(
      `pragma solidity ^0.4.24;
contract C {
  address owner;
  uint supply;
  function mint(uint amount) public {
    require(msg.sender == owner);
    supply += amount;
  }
}`,
      integerOverflow,
    );
    expect(findingLines(findings)).toEqual([7]);
    expect(findings[0].impact).toBe('low');
  });

  test('fp: a uint32 length read from the input added to an offset a loop bounds cannot reach 2^256', () => {
    const findings = scanSource(
      `pragma solidity ^0.4.24;
library BytesLib { function uint32At(bytes memory b, uint256 i) internal pure returns (uint32) { return uint32(b[i]); } }
contract Script {
  using BytesLib for bytes;
  function run(bytes _script) public {
    uint256 location = 4;
    while (location < _script.length) {
      uint256 length = uint256(_script.uint32At(location + 0x14));
      uint256 start = location + 0x14 + 0x04;
      location = start + length;
      require(location <= _script.length);
    }
  }
  function unbounded(bytes _script, uint256 start) public pure returns (uint256) {
    uint256 length = uint256(_script.uint32At(0));
    return start + length;
  }
}`,
      integerOverflow,
    );
    // The second sum stays: nothing bounds \`start\`, which the caller picks.
    expect(findingLines(findings)).toEqual([16]);
  });

  test('behavior: the caller passed to a token transfer is no owner check (the product stays high)', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
interface IERC20 { function transferFrom(address f, address t, uint v) external returns (bool); }
contract Sale {
  IERC20 token;
  mapping(uint => uint) price;
  mapping(uint => address) seller;
  function buy(uint id, uint amount) external payable {
    uint cost = price[id] * amount;
    require(token.transferFrom(seller[id], msg.sender, amount));
    require(cost <= msg.value);
  }
}`,
      integerOverflow,
    );
    expect(findingLines(findings)).toEqual([8]);
    expect(findings[0].impact).toBe('high');
  });
});

describe('integer-overflow with var', () => {
  test('behavior: a var loop counter is a uint8 compared with a wider length (0.4)', () => {
    const findings = scanSource(
      `pragma solidity ^0.4.18;
contract Payout {
  address[] investors;
  function pay() public {
    for (var i = 0; i < investors.length; i++) {
      investors[i].transfer(1 finney);
    }
  }
}`,
      integerOverflow,
    );
    expect(findingLines(findings)).toEqual([5]);
    expect(findings[0].message).toContain('uint8');
  });
  test('fp: an array length minus a constant used as an index or loop bound reverts when it wraps', () => {
    const findings = scanSource(
      `pragma solidity =0.6.6;
contract Router {
  mapping(address => uint) balances;
  function swap(uint[] memory amounts, address[] memory path, uint minOut) public returns (uint) {
    for (uint i; i < path.length - 1; i++) {
      address to = i < path.length - 2 ? path[i + 2] : msg.sender;
    }
    require(amounts[amounts.length - 1] >= minOut);
    uint left = path.length - 1;
    balances[msg.sender] = left;
  }
}`,
      integerOverflow,
    );
    // Only the length minus a constant that is stored, not indexed or compared, is kept.
    expect(findingLines(findings)).toEqual([9]);
  });
  test('fp: small constants added to an offset that a loop condition bounds', () => {
    const findings = scanSource(
      `pragma solidity ^0.4.24;
contract Script {
  function run(bytes script, uint256 skip) public {
    uint256 location = 4;
    while (location < script.length) {
      uint256 start = location + 0x14 + 0x04;
      location = start + skip;
      require(location <= script.length);
    }
    uint256 far = skip + 0x14 + 0x04;
  }
}`,
      integerOverflow,
    );
    // The parameter that nothing bounds keeps its findings (both additions).
    expect(findingLines(findings)).toEqual([7, 10, 10]);
  });
  test('fp: msg.value added to an ether tally or times a constant cannot reach 2^256', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract Fund {
  mapping(address => uint) deposits;
  mapping(address => uint) bonuses;
  uint raised;
  function deposit() public payable {
    deposits[msg.sender] += msg.value;
    raised = raised + msg.value;
    uint tokens = msg.value * 1000;
    deposits[msg.sender] = tokens;
  }
  function bonus(uint extra) public payable {
    uint credit = extra + msg.value;
    bonuses[msg.sender] = credit;
  }
}`,
      integerOverflow,
    );
    // A caller-chosen number added to msg.value can still wrap.
    expect(findingLines(findings)).toEqual([13]);
  });
});
