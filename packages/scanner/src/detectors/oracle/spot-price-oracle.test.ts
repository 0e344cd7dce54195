import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { spotPriceOracle } from './spot-price-oracle.ts';

const pairInterface = `
interface IPair {
  function getReserves() external view returns (uint112 reserve0, uint112 reserve1, uint32 ts);
  function price0CumulativeLast() external view returns (uint256);
  function swap(uint256 a0, uint256 a1, address to, bytes calldata data) external;
}`;

describe('spot-price-oracle', () => {
  test('default: collateral valued from pair reserves', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
${pairInterface}
contract Lender {
  IPair public pair;
  mapping(address => uint256) public collateral;
  mapping(address => uint256) public debt;
  function price() public view returns (uint256) {
    (uint112 r0, uint112 r1, ) = pair.getReserves();
    return uint256(r1) * 1e18 / r0;
  }
  function borrow(uint256 amount) external {
    (uint112 r0, uint112 r1, ) = pair.getReserves();
    uint256 value = collateral[msg.sender] * r1 / r0;
    require(debt[msg.sender] + amount <= value / 2, "undercollateralised");
    debt[msg.sender] += amount;
  }
}`,
      spotPriceOracle,
    );
    expect(findingLines(findings)).toEqual([14, 18]);
    // price() is a view nothing in the contract calls: still a spot oracle, with lower confidence.
    expect(findings.map((f) => f.confidence)).toEqual(['low', 'medium']);
    expect(findings[1].message).toContain('pair reserves');
  });

  test('behavior: 0.5 vault pricing shares from the ratio of pair balances', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
interface IERC20 { function balanceOf(address) external view returns (uint); }
contract Vault {
  IERC20 token0;
  IERC20 token1;
  address pair;
  mapping(address => uint) shares;
  function deposit(uint amount) public {
    uint price = token1.balanceOf(pair) * 1e18 / token0.balanceOf(pair);
    shares[msg.sender] += amount * price / 1e18;
  }
}`,
      spotPriceOracle,
    );
    expect(findingLines(findings)).toEqual([9]);
  });

  test('behavior: reserves handed to a quoting library', () => {
    const findings = scanSource(
      `pragma solidity ^0.6.12;
${pairInterface}
library PairMath {
  function quote(uint256 amountA, uint256 reserveA, uint256 reserveB) internal pure returns (uint256) {
    return amountA * reserveB / reserveA;
  }
}
contract Lender {
  IPair public pair;
  mapping(address => uint256) public collateral;
  mapping(address => uint256) public credit;
  function refresh(address user) external {
    (uint112 r0, uint112 r1, ) = pair.getReserves();
    credit[user] = PairMath.quote(collateral[user], r0, r1);
  }
}`,
      spotPriceOracle,
    );
    expect(findingLines(findings)).toEqual([19]);
  });

  test('behavior: 0.5 SafeMath arithmetic on reserves', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.16;
library SafeMath {
  function mul(uint a, uint b) internal pure returns (uint) { uint c = a * b; require(a == 0 || c / a == b); return c; }
  function div(uint a, uint b) internal pure returns (uint) { return a / b; }
}
interface IPair { function getReserves() external view returns (uint112, uint112, uint32); }
contract Bank {
  using SafeMath for uint;
  IPair pair;
  mapping(address => uint) limit;
  function update(address user, uint amount) public {
    (uint112 r0, uint112 r1, ) = pair.getReserves();
    limit[user] = amount.mul(uint(r1)).div(r0);
  }
}`,
      spotPriceOracle,
    );
    expect(findingLines(findings)).toEqual([13]);
  });

  test('behavior: Uniswap v3 slot0 price', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
interface IPool { function slot0() external view returns (uint160 sqrtPriceX96, int24 tick, uint16 a, uint16 b, uint16 c, uint8 d, bool e); }
contract Minter {
  IPool public pool;
  mapping(address => uint256) public minted;
  function mint(uint256 amountIn) external {
    (uint160 sqrtPriceX96, , , , , , ) = pool.slot0();
    uint256 priceX192 = uint256(sqrtPriceX96) * uint256(sqrtPriceX96);
    minted[msg.sender] += (amountIn * priceX192) >> 192;
  }
}`,
      spotPriceOracle,
    );
    expect(findingLines(findings)).toEqual([8]);
  });

  test('behavior: TWAP and Chainlink reads are clean', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
${pairInterface}
interface IFeed { function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80); }
contract Oracle {
  IPair public pair;
  IFeed public feed;
  uint256 public lastCumulative;
  function update() external {
    (, , uint32 ts) = pair.getReserves();
    uint256 cumulative = pair.price0CumulativeLast();
    lastCumulative = cumulative * ts;
  }
  function value(uint256 amount) external view returns (uint256) {
    (, int256 answer, , , ) = feed.latestRoundData();
    return amount * uint256(answer) / 1e8;
  }
}`,
      spotPriceOracle,
    );
    expect(findings).toEqual([]);
  });

  test('fp: a router quoting reserves for the swap it makes, and a pair reading its own reserves, are clean', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
${pairInterface}
contract Router {
  function swapExact(IPair pair, uint256 amountIn, address to) external {
    (uint112 r0, uint112 r1, ) = pair.getReserves();
    uint256 amountOut = amountIn * 997 * r1 / (r0 * 1000 + amountIn * 997);
    pair.swap(0, amountOut, to, "");
  }
}
contract Pair {
  uint112 reserve0;
  uint112 reserve1;
  function getReserves() public view returns (uint112, uint112) { return (reserve0, reserve1); }
  function quote(uint256 a) external view returns (uint256) {
    (uint112 r0, uint112 r1) = getReserves();
    return a * r1 / r0;
  }
}`,
      spotPriceOracle,
    );
    expect(findings).toEqual([]);
  });
});
