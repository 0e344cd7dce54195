// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {GuardianPausable} from "../../breakers/GuardianPausable.sol";
import {IERC20, Transfers} from "../../breakers/Transfers.sol";

interface ISpotPair {
    function token0() external view returns (address);
    function getReserves() external view returns (uint256, uint256);
}

/// @title SpotPriceLender
/// @notice Benchmark victim: a single-call lending desk. `borrowAgainst` takes collateral and lends
/// the stable asset in one call, up to a loan-to-value of the collateral. BENCH-VULNERABILITY: the
/// collateral is priced at the pair's spot reserves, read in the same transaction, so whoever moves
/// the pair moves the price. DO NOT DEPLOY WITH VALUE.
contract SpotPriceLender is GuardianPausable {
    IERC20 public immutable collateral;
    IERC20 public immutable stable;
    ISpotPair public immutable pair;
    /// @notice Loan-to-value in basis points; the admin tunes it.
    uint256 public ltvBps;
    /// @notice Fee on each loan in basis points; the admin tunes it.
    uint256 public feeBps;

    mapping(address account => uint256) public collateralOf;
    mapping(address account => uint256) public debtOf;

    event Funded(address indexed provider, uint256 amount);
    event Defunded(address indexed provider, uint256 amount);
    event Loan(address indexed borrower, uint256 collateralAmount, uint256 amount);
    event Repaid(address indexed borrower, uint256 amount, uint256 collateralReleased);
    event ParameterSet(bytes32 indexed name, uint256 value);

    error OverLimit(uint256 limit, uint256 wanted);
    error NotFunder(address caller);

    mapping(address provider => uint256) public funded;

    constructor(address admin_, address guardian_, uint256 unpauseDelay_, IERC20 collateral_, IERC20 stable_, ISpotPair pair_)
        GuardianPausable(admin_, guardian_, unpauseDelay_)
    {
        collateral = collateral_;
        stable = stable_;
        pair = pair_;
        ltvBps = 6_000;
        feeBps = 10;
    }

    /// @notice Stable asset per collateral unit, 18 decimals, from the pair's spot reserves.
    function price() public view returns (uint256) {
        (uint256 reserve0, uint256 reserve1) = pair.getReserves();
        return pair.token0() == address(collateral) ? reserve1 * 1e18 / reserve0 : reserve0 * 1e18 / reserve1;
    }

    function fund(uint256 amount) external whenNotPaused {
        Transfers.pull(address(stable), msg.sender, amount);
        funded[msg.sender] += amount;
        emit Funded(msg.sender, amount);
    }

    function defund(uint256 amount) external whenNotPaused {
        if (funded[msg.sender] < amount) revert NotFunder(msg.sender);
        funded[msg.sender] -= amount;
        Transfers.send(address(stable), msg.sender, amount);
        emit Defunded(msg.sender, amount);
    }

    function borrowAgainst(uint256 collateralAmount, uint256 amount) external whenNotPaused {
        Transfers.pull(address(collateral), msg.sender, collateralAmount);
        collateralOf[msg.sender] += collateralAmount;
        uint256 limit = collateralOf[msg.sender] * price() / 1e18 * ltvBps / 10_000;
        uint256 debt = debtOf[msg.sender] + amount + amount * feeBps / 10_000;
        if (debt > limit) revert OverLimit(limit, debt);
        debtOf[msg.sender] = debt;
        Transfers.send(address(stable), msg.sender, amount);
        emit Loan(msg.sender, collateralAmount, amount);
    }

    /// @notice Repays `amount`; the whole collateral comes back once the debt is zero.
    function repay(uint256 amount) external whenNotPaused {
        uint256 debt = debtOf[msg.sender];
        if (amount > debt) amount = debt;
        Transfers.pull(address(stable), msg.sender, amount);
        debtOf[msg.sender] = debt - amount;
        uint256 released;
        if (debt == amount) {
            released = collateralOf[msg.sender];
            collateralOf[msg.sender] = 0;
            Transfers.send(address(collateral), msg.sender, released);
        }
        emit Repaid(msg.sender, amount, released);
    }

    function setLtv(uint256 bps) external onlyAdmin {
        ltvBps = bps;
        emit ParameterSet("ltv", bps);
    }

    function setFee(uint256 bps) external onlyAdmin {
        feeBps = bps;
        emit ParameterSet("fee", bps);
    }
}
