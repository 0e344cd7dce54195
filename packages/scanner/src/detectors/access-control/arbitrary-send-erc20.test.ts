import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { arbitrarySendErc20 } from './arbitrary-send-erc20.ts';

const scan = (source: string) => scanSource(source, arbitrarySendErc20);

const erc20 = `interface IERC20 {
  function transferFrom(address from, address to, uint amount) external returns (bool);
  function permit(address owner, address spender, uint value, uint deadline, uint8 v, bytes32 r, bytes32 s) external;
}
`;

describe('arbitrary-send-erc20', () => {
  test('default: from is a parameter', () => {
    const findings = scan(`pragma solidity ^0.8.0;
${erc20}contract Pull {
  IERC20 token;
  function pull(address from, address to, uint amount) external {
    token.transferFrom(from, to, amount);
  }
}`);
    expect(findingLines(findings)).toEqual([9]);
    expect(findings[0].impact).toBe('high');
  });

  test('behavior: SafeERC20-style library, bound and direct', () => {
    const findings = scan(`pragma solidity ^0.8.0;
${erc20}library SafeERC20 {
  function safeTransferFrom(IERC20 token, address from, address to, uint v) internal { require(token.transferFrom(from, to, v)); }
}
contract Pull {
  using SafeERC20 for IERC20;
  IERC20 token;
  function a(address from, uint v) external { token.safeTransferFrom(from, msg.sender, v); }
  function b(address from, uint v) external { SafeERC20.safeTransferFrom(token, from, msg.sender, v); }
}`);
    expect(findingLines(findings)).toEqual([12, 13]);
  });

  test('behavior: 0.4, the success flag checked in require is no access control', () => {
    const findings = scan(`pragma solidity ^0.4.24;
contract Token { function transferFrom(address from, address to, uint v) public returns (bool); }
contract Drain {
  Token token;
  function take(address victim, uint v) public {
    require(token.transferFrom(victim, msg.sender, v));
  }
}`);
    expect(findingLines(findings)).toEqual([6]);
  });

  test('behavior: pulling into this contract is medium (0.5 receiveApproval)', () => {
    const findings = scan(`pragma solidity ^0.5.0;
${erc20}contract Recipient {
  function receiveApproval(address _from, uint256 _value, address _token, bytes memory) public {
    require(IERC20(_token).transferFrom(_from, address(this), _value));
  }
}`);
    expect(findingLines(findings)).toEqual([8]);
    expect(findings[0].impact).toBe('medium');
  });

  test('fp: from is a seller stored when the listing was made, chosen only by its id', () => {
    const findings = scan(`pragma solidity ^0.5.0;
${erc20}contract Market {
  struct Listing { address seller; uint price; }
  mapping(uint => Listing) listings;
  IERC20 token;
  function list(uint price) external { listings[1] = Listing(msg.sender, price); }
  function buy(uint id, uint amount) external payable {
    Listing storage l = listings[id];
    require(msg.value == l.price * amount);
    require(token.transferFrom(l.seller, msg.sender, amount));
  }
}`);
    expect(findings).toEqual([]);
  });

  test('fp: msg.sender as from, access control, permit and callback consent', () => {
    const findings = scan(`pragma solidity ^0.8.0;
${erc20}interface IReceiver { function onLoan(uint amount) external returns (bool); }
contract Safe {
  IERC20 token;
  address owner;
  function deposit(uint v) external { token.transferFrom(msg.sender, address(this), v); }
  function sweep(address from, uint v) external { require(msg.sender == owner); token.transferFrom(from, owner, v); }
  function depositWithPermit(address from, uint v, uint8 pv, bytes32 r, bytes32 s) external {
    token.permit(from, address(this), v, block.timestamp, pv, r, s);
    token.transferFrom(from, address(this), v);
  }
  function flash(address receiver, uint v) external {
    require(IReceiver(receiver).onLoan(v));
    token.transferFrom(receiver, address(this), v);
  }
  function transferFrom(address from, address to, uint v) external returns (bool) { return true; }
}`);
    expect(findings).toEqual([]);
  });
  test('fp: a migration that pulls old tokens into the contract and mints the new ones to their owner', () => {
    const findings = scan(`pragma solidity ^0.5.0;
${erc20}interface IMintable { function mint(address to, uint v) external returns (bool); }
contract Migrator {
  IERC20 legacy;
  IMintable next;
  function migrate(address account, uint amount) public {
    legacy.transferFrom(account, address(this), amount);
    next.mint(account, amount);
  }
  function burnFor(address account, uint amount) public {
    legacy.transferFrom(account, address(this), amount);
    next.mint(msg.sender, amount);
  }
}`);
    // Minting the new tokens to the caller instead keeps the finding.
    expect(findingLines(findings)).toEqual([15]);
  });
});
