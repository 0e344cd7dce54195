// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IPriceOracle} from "../demo/DemoPriceOracle.sol";

/// @title RiggedOracle
/// @notice Test and demo attacker for a compromised admin key: an oracle whose owner sets the price.
contract RiggedOracle is IPriceOracle {
    address public immutable owner;
    uint256 public price;

    constructor(uint256 price_) {
        owner = msg.sender;
        price = price_;
    }

    /// @notice Sets the price. Owner only.
    function setPrice(uint256 price_) external {
        require(msg.sender == owner);
        price = price_;
    }
}
