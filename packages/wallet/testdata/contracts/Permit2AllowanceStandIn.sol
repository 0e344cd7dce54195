// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// A stand-in for the allowance side of Uniswap's Permit2, written for the tests from its published
/// interface (approve, allowance, the Approval event); Permit2's own code is not on npm here. Tests
/// place its runtime code at Permit2's address with anvil_setCode.
contract Permit2AllowanceStandIn {
    struct PackedAllowance {
        uint160 amount;
        uint48 expiration;
        uint48 nonce;
    }

    mapping(address owner => mapping(address token => mapping(address spender => PackedAllowance))) public allowance;

    event Approval(
        address indexed owner, address indexed token, address indexed spender, uint160 amount, uint48 expiration
    );

    function approve(address token, address spender, uint160 amount, uint48 expiration) external {
        PackedAllowance storage allowed = allowance[msg.sender][token][spender];
        allowed.amount = amount;
        // As in Permit2: an expiration of 0 lasts for this block only.
        allowed.expiration = expiration == 0 ? uint48(block.timestamp) : expiration;
        emit Approval(msg.sender, token, spender, amount, expiration);
    }
}
