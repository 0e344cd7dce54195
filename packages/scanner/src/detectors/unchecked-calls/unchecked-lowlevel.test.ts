import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { uncheckedLowlevel } from './unchecked-lowlevel.ts';

describe('unchecked-lowlevel', () => {
  test('default: call.value result discarded (0.5)', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract Pay {
  function pay(address payable dst) public payable {
    dst.call.value(msg.value)("");
  }
}`,
      uncheckedLowlevel,
    );
    expect(findingLines(findings)).toEqual([4]);
    expect(findings[0].message).toContain('Pay.pay');
  });

  test('behavior: 0.4 call()/delegatecall() discarded, 0.8 success flag stored and never read', () => {
    const old = scanSource(
      `pragma solidity ^0.4.24;
contract Proxy {
  function forward(address target, bytes data) public {
    target.delegatecall(data);
    target.call.value(1)();
  }
}`,
      uncheckedLowlevel,
    );
    expect(findingLines(old)).toEqual([4, 5]);
    const recent = scanSource(
      `pragma solidity ^0.8.0;
contract Pay {
  function pay(address to, uint256 amount) external {
    (bool ok, ) = to.call{value: amount}("");
    (, bytes memory data) = to.call(abi.encodeWithSignature("ping()"));
    data;
  }
}`,
      uncheckedLowlevel,
    );
    expect(findingLines(recent)).toEqual([4, 5]);
  });

  test('behavior: a call configured with .value() but never invoked', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract Pay {
  function pay(address payable callee) public {
    callee.call.value(1 ether);
  }
}`,
      uncheckedLowlevel,
    );
    expect(findingLines(findings)).toEqual([4]);
    expect(findings[0].message).toContain('never invokes');
    expect(findings[0].confidence).toBe('high');
  });

  test('behavior: a test whose branches do the same either way is no check', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Pay {
  function pay(address to) external {
    (bool ok, ) = to.call{value: 1 ether}("");
    if (!ok) {
      // nothing
    } else {
      // nothing
    }
  }
}`,
      uncheckedLowlevel,
    );
    expect(findingLines(findings)).toEqual([4]);
    expect(findings[0].related.map((r) => r.startLine)).toContain(5);
  });

  test('fp: checked by require, by if/revert, by a conditional effect, or handed to a verifier', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
library Verify { function check(bool ok, bytes memory data) internal pure returns (bytes memory) { require(ok); return data; } }
contract Pay {
  mapping(address => uint256) balances;
  function a(address to) external { (bool ok, ) = to.call{value: 1}(""); require(ok, "failed"); }
  function b(address to) external { (bool ok, ) = to.call{value: 1}(""); if (!ok) revert("failed"); }
  function c() external {
    (bool ok, ) = msg.sender.call{value: balances[msg.sender]}("");
    if (ok) balances[msg.sender] = 0;
  }
  function d(address to, bytes calldata data) external returns (bytes memory) {
    (bool ok, bytes memory ret) = to.call(data);
    return Verify.check(ok, ret);
  }
  function e(address to) external returns (bool ok) { (ok, ) = to.call(""); }
}`,
      uncheckedLowlevel,
    );
    expect(findings).toEqual([]);
  });
});
