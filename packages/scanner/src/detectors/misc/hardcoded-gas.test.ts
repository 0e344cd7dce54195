import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { hardcodedGas } from './hardcoded-gas.ts';

describe('hardcoded-gas', () => {
  test('default: 0.8 call with a fixed gas option', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Payer {
  uint256 constant STIPEND = 2300;
  function pay(address to, uint256 v) external {
    (bool ok, ) = to.call{value: v, gas: 5000}("");
    require(ok);
    (ok, ) = to.call{gas: STIPEND}("");
  }
}`,
      hardcodedGas,
    );
    expect(findingLines(findings)).toEqual([5, 7]);
  });

  test('behavior: 0.5 .gas() on a low-level and a typed call', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract Target { function ping() public {} }
contract Caller {
  function run(address to, Target t) public {
    (bool ok, ) = to.call.gas(2300).value(1)("");
    require(ok);
    t.ping.gas(10000)();
  }
}`,
      hardcodedGas,
    );
    expect(findingLines(findings)).toEqual([5, 7]);
  });

  test('fp: gas computed at run time is clean', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Relay {
  uint256 public gasLimit;
  function run(address to, bytes calldata data) external {
    (bool ok, ) = to.call{gas: gasleft() - 5000}(data);
    (ok, ) = to.call{gas: gasLimit}(data);
    require(ok);
  }
}`,
      hardcodedGas,
    );
    expect(findings).toEqual([]);
  });
});
