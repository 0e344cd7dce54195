// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {GuardianPausable} from "../../breakers/GuardianPausable.sol";
import {IERC20} from "../../breakers/Transfers.sol";

interface IRouterPair {
    function swap(address tokenIn, uint256 amountIn, uint256 minAmountOut, address to) external returns (uint256);
}

/// @title ApprovalRouter
/// @notice Benchmark victim: a swap router users approve once. `swapVia` pulls the caller's tokens
/// and swaps them on a pair. BENCH-VULNERABILITY: `multicallPull` (meant for batching a user's own
/// pulls) takes the `from` of each pull as a parameter, so anyone can move any approver's tokens.
/// DO NOT DEPLOY WITH VALUE.
contract ApprovalRouter is GuardianPausable {
    event Routed(address indexed user, address indexed tokenIn, uint256 amountIn, uint256 amountOut);

    error PullFailed(address token, address from);

    constructor(address admin_, address guardian_, uint256 unpauseDelay_)
        GuardianPausable(admin_, guardian_, unpauseDelay_)
    {}

    function swapVia(IRouterPair pair, address tokenIn, uint256 amountIn, uint256 minOut) external whenNotPaused {
        if (!IERC20(tokenIn).transferFrom(msg.sender, address(this), amountIn)) revert PullFailed(tokenIn, msg.sender);
        IERC20(tokenIn).approve(address(pair), amountIn);
        uint256 out = pair.swap(tokenIn, amountIn, minOut, msg.sender);
        emit Routed(msg.sender, tokenIn, amountIn, out);
    }

    function multicallPull(address token, address[] calldata from, uint256[] calldata amounts, address to)
        external
        whenNotPaused
    {
        for (uint256 i; i < from.length; ++i) {
            if (!IERC20(token).transferFrom(from[i], to, amounts[i])) revert PullFailed(token, from[i]);
        }
    }
}
