import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { unsafeErc20Call } from './unsafe-erc20-call.ts';

const erc20 = `interface IERC20 {
  function transfer(address to, uint256 amount) external returns (bool);
  function transferFrom(address from, address to, uint256 amount) external returns (bool);
  function approve(address spender, uint256 amount) external returns (bool);
  function balanceOf(address who) external view returns (uint256);
}`;

describe('unsafe-erc20-call', () => {
  test('default: transferFrom result ignored before crediting the deposit', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
${erc20}
contract Vault {
  IERC20 token;
  mapping(address => uint256) public credit;
  function deposit(uint256 amount) external {
    token.transferFrom(msg.sender, address(this), amount);
    credit[msg.sender] += amount;
  }
}`,
      unsafeErc20Call,
    );
    expect(findingLines(findings)).toEqual([12]);
    expect(findings[0].impact).toBe('medium');
  });

  test('behavior: a checked direct call breaks on tokens that return nothing (low), 0.5 cast receiver', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
${erc20}
contract Exchange {
  function withdraw(address token, uint amount) public {
    require(IERC20(token).transfer(msg.sender, amount));
  }
}`,
      unsafeErc20Call,
    );
    expect(findingLines(findings)).toEqual([10]);
    expect(findings[0].impact).toBe('low');
  });

  test('behavior: an interface declaring no return value (USDT-style) hides a false result', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
interface IUSDT { function transfer(address to, uint256 amount) external; function balanceOf(address who) external view returns (uint256); }
contract Payout {
  function pay(IUSDT token, address to) external { token.transfer(to, 1); }
}`,
      unsafeErc20Call,
    );
    expect(findingLines(findings)).toEqual([4]);
  });

  test('fp: tokens sent to the token contract itself are consumed by the next call on it', () => {
    const pool = `pragma solidity ^0.6.0;
interface IPool {
  function transferFrom(address from, address to, uint256 amount) external returns (bool);
  function balanceOf(address who) external view returns (uint256);
  function burn(address to) external returns (uint256, uint256);
}
contract Router {
  function remove(address pool, uint256 liquidity, address to) public {
    IPool(pool).transferFrom(msg.sender, pool, liquidity);
    IPool(pool).burn(to);
  }
  function removeOnly(address pool, uint256 liquidity, address to) public {
    IPool(pool).transferFrom(msg.sender, to, liquidity);
    IPool(pool).burn(to);
  }
  function park(address pool, uint256 liquidity) public {
    IPool(pool).transferFrom(msg.sender, pool, liquidity);
  }
}`;
    // Sent elsewhere, or sent to the token with nothing after that consumes it: still reported.
    expect(findingLines(scanSource(pool, unsafeErc20Call))).toEqual([13, 17]);
  });

  test('fp: ERC-721 transferFrom and approve have the same signatures', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
interface IERC721 {
  function transferFrom(address from, address to, uint256 id) external;
  function approve(address to, uint256 id) external;
  function ownerOf(uint256 id) external view returns (address);
  function balanceOf(address who) external view returns (uint256);
}
contract Market {
  function buy(IERC721 nft, uint256 id) external { nft.transferFrom(address(this), msg.sender, id); nft.approve(msg.sender, id); }
}`,
      unsafeErc20Call,
    );
    expect(findings).toEqual([]);
  });
});
