import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { unusedReturn } from './unused-return.ts';

describe('unused-return', () => {
  test('default: a state-changing call reporting failure as false', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
interface IVault { function release(address to, uint256 amount) external returns (bool); }
contract Bridge {
  IVault vault;
  mapping(bytes32 => bool) done;
  function finalize(bytes32 id, address to, uint256 amount) external {
    require(!done[id]);
    vault.release(to, amount);
    done[id] = true;
  }
}`,
      unusedReturn,
    );
    expect(findingLines(findings)).toEqual([8]);
  });

  test('behavior: a pure library call on values whose result is dropped (0.5 SafeMath)', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
library SafeMath { function add(uint a, uint b) internal pure returns (uint) { uint c = a + b; require(c >= a); return c; } }
contract Fees {
  using SafeMath for uint;
  uint total;
  function collect(uint fee) public {
    total.add(fee);
  }
}`,
      unusedReturn,
    );
    expect(findingLines(findings)).toEqual([7]);
  });

  test('fp: view probes, calls on memory data, results used, ERC-20 transfers', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
interface IGateway { function isSupported(bytes4 a) external view returns (bool); function send(bytes calldata m) external returns (bytes32); }
interface IERC20 { function transfer(address to, uint256 a) external returns (bool); function balanceOf(address a) external view returns (uint256); }
library Buf { struct B { bytes data; } function push(B memory b, bytes memory x) internal pure returns (B memory) { b.data = bytes.concat(b.data, x); return b; } }
contract C {
  using Buf for Buf.B;
  function f(IGateway g, IERC20 t, bytes calldata m) external returns (bytes32 id) {
    g.isSupported(bytes4(0));
    id = g.send(m);
    t.transfer(msg.sender, 1);
    Buf.B memory b;
    b.push(m);
  }
}`,
      unusedReturn,
    );
    expect(findings).toEqual([]);
  });
  test('fp: a bool that the callee only ever sets to true carries no status', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract Mintable {
  mapping(address => uint) balances;
  function mint(address to, uint v) public returns (bool) { balances[to] += v; return true; }
}
contract Vault {
  function release(address to, uint v) public returns (bool) { if (v > 10) return false; return true; }
}
contract Migrator {
  Mintable next;
  Vault vault;
  function migrate(address account, uint amount) public {
    next.mint(account, amount);
    vault.release(account, amount);
  }
}`,
      unusedReturn,
    );
    // The vault can answer false: ignoring it is kept.
    expect(findingLines(findings)).toEqual([14]);
  });

  test('behavior: a discarded bool from a view call is a probe only where it compiles to STATICCALL (0.5 on)', () => {
    const source = (pragma: string) => `pragma solidity ${pragma};
interface Registry { function register(address a) external view returns (bool); }
contract User {
  Registry registry;
  function join() public {
    registry.register(msg.sender);
  }
}`;
    expect(findingLines(scanSource(source('^0.4.24'), unusedReturn))).toEqual([6]);
    expect(scanSource(source('^0.5.0'), unusedReturn)).toEqual([]);
  });
});
