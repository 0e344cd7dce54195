import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { lockedEther } from './locked-ether.ts';

const scan = (source: string) => scanSource(source, lockedEther);

describe('locked-ether', () => {
  test('default: payable function, no way out', () => {
    const findings = scan(`pragma solidity ^0.8.0;
contract Donations {
  mapping(address => uint) public given;
  function donate() external payable {
    given[msg.sender] += msg.value;
  }
}`);
    expect(findingLines(findings)).toEqual([4]);
    expect(findings[0].message).toContain('Donations');
  });

  test('behavior: 0.4 payable fallback in a base, reported once for the deployed contract', () => {
    const findings = scan(`pragma solidity ^0.4.24;
contract Base { function() public payable {} }
contract Sink is Base { uint x; function set(uint v) public { x = v; } }`);
    expect(findingLines(findings)).toEqual([2]);
    expect(findings[0].message).toContain('Sink');
    expect(findings[0].message).toContain('accepts ether through fallback but');
  });

  test('fp: before 0.6 a contract with an unimplemented function is abstract, not deployed', () => {
    const source = (price: string) => `pragma solidity ^0.4.24;
contract Sale {
  function () public payable {}
  function price() public view returns (uint)${price}
}`;
    expect(findingLines(scan(source(';')))).toEqual([]);
    expect(findingLines(scan(source(' { return 1; }')))).toEqual([3]);
    // A public state variable implements a base's function: the derived contract is deployable.
    const getter = `pragma solidity ^0.4.24;
contract Priced { function price() public view returns (uint); }
contract Sale is Priced {
  uint public price = 1;
  function () public payable {}
}`;
    expect(findingLines(scan(getter))).toEqual([5]);
  });

  test('behavior: a receive function is named in the message', () => {
    const findings = scan(`pragma solidity ^0.8.0;
contract Tips { receive() external payable {} }`);
    expect(findings[0].message).toContain('accepts ether through receive but');
  });

  test('fp: withdrawals of any kind, in the contract, a base or a library', () => {
    const sources = [
      `pragma solidity ^0.8.0;
contract A { address payable owner; receive() external payable {} function w() external { owner.transfer(address(this).balance); } }`,
      `pragma solidity ^0.5.0;
contract A { function() external payable {} function w() public { selfdestruct(msg.sender); } }`,
      `pragma solidity ^0.8.0;
library Pay { function send(address to, uint v) internal { (bool ok, ) = to.call{value: v}(""); require(ok); } }
contract A { receive() external payable {} function w(address to) external { Pay.send(to, 1); } }`,
      `pragma solidity ^0.8.0;
contract A { receive() external payable {} function w(address to) external { assembly { pop(call(gas(), to, selfbalance(), 0, 0, 0, 0)) } } }`,
      `pragma solidity ^0.8.0;
contract Base { receive() external payable {} }
contract Derived is Base { function w() external { payable(msg.sender).transfer(1); } }`,
      `pragma solidity ^0.8.0;
contract NoPayable { function f() external {} }`,
    ];
    for (const source of sources) expect(scan(source)).toEqual([]);
  });
});
