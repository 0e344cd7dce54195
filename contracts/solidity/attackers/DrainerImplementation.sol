// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IERC20} from "../breakers/Transfers.sol";

/// @title DrainerImplementation
/// @notice Test and demo attacker for a compromised admin key: once a `DemoVault` is upgraded to
/// it, `sweep` (run through the vault's delegating fallback, so with the vault's funds) sends the
/// vault's ether and `tokens` to `to`.
contract DrainerImplementation {
    /// @notice Sends all ether and the listed tokens held by the calling context to `to`.
    function sweep(address[] calldata tokens, address to) external {
        for (uint256 i; i < tokens.length; ++i) {
            IERC20(tokens[i]).transfer(to, IERC20(tokens[i]).balanceOf(address(this)));
        }
        (bool ok,) = payable(to).call{value: address(this).balance}("");
        require(ok);
    }
}
