// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IERC20} from "../breakers/Transfers.sol";
import {IDemoAmm} from "../demo/DemoAmm.sol";

/// @title SwapArbitrageBot
/// @notice Test and demo benign bot: trades its own capital on a pool in either direction when
/// its owner sees a price worth taking. It takes nothing it does not pay for.
contract SwapArbitrageBot {
    address public immutable owner;
    IDemoAmm public immutable pool;
    address public immutable tokenA;
    address public immutable tokenB;

    error NotOwner(address caller);

    constructor(IDemoAmm pool_, address tokenA_, address tokenB_) {
        owner = msg.sender;
        pool = pool_;
        tokenA = tokenA_;
        tokenB = tokenB_;
    }

    /// @notice Sells `amountIn` of token A for at least `minOut` of token B. Owner only.
    function buy(uint256 amountIn, uint256 minOut) external returns (uint256) {
        return _swap(tokenA, amountIn, minOut);
    }

    /// @notice Sells `amountIn` of token B for at least `minOut` of token A. Owner only.
    function sell(uint256 amountIn, uint256 minOut) external returns (uint256) {
        return _swap(tokenB, amountIn, minOut);
    }

    /// @notice Sends this contract's balance of `token` to the owner. Owner only.
    function withdraw(address token) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        IERC20(token).transfer(owner, IERC20(token).balanceOf(address(this)));
    }

    function _swap(address tokenIn, uint256 amountIn, uint256 minOut) private returns (uint256) {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        IERC20(tokenIn).approve(address(pool), amountIn);
        return pool.swap(tokenIn, amountIn, minOut, address(this));
    }
}
