// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {GuardianPausable} from "../breakers/GuardianPausable.sol";
import {OutflowLimiter} from "../breakers/OutflowLimiter.sol";
import {Transfers} from "../breakers/Transfers.sol";
import {IPriceOracle} from "./DemoPriceOracle.sol";

/// @title DemoLendingMarket
/// @notice Single-pair lending market of Bulwark's demo protocol: suppliers lend `debtToken`,
/// borrowers lock `collateralToken` and borrow up to `collateralFactorBps` of its value as priced
/// by `oracle`. No interest and no liquidations, to keep it short. Guarded by a guardian pause and
/// an outflow limiter, and deliberately vulnerable in the places marked `DEMO-VULNERABILITY`.
/// DO NOT DEPLOY WITH VALUE.
contract DemoLendingMarket is OutflowLimiter {
    /// @notice May change the oracle and the collateral factor.
    bytes32 public constant RISK_MANAGER_ROLE = keccak256("RISK_MANAGER_ROLE");
    /// @notice Highest collateral factor a risk manager can set, in basis points.
    uint256 public constant MAX_COLLATERAL_FACTOR_BPS = 9_000;

    address public immutable collateralToken;
    address public immutable debtToken;
    IPriceOracle public oracle;
    uint256 public collateralFactorBps;

    mapping(bytes32 role => mapping(address account => bool)) public hasRole;
    mapping(address account => uint256) public suppliedOf;
    mapping(address account => uint256) public collateralOf;
    mapping(address account => uint256) public debtOf;
    uint256 public totalSupplied;
    uint256 public totalBorrowed;

    event Supplied(address indexed account, uint256 amount);
    event SupplyWithdrawn(address indexed account, uint256 amount);
    event CollateralDeposited(address indexed account, uint256 amount);
    event CollateralWithdrawn(address indexed account, uint256 amount);
    event Borrowed(address indexed account, uint256 amount);
    event Repaid(address indexed account, uint256 amount);
    /// @dev Same signatures as OpenZeppelin's AccessControl events.
    event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender);
    event RoleRevoked(bytes32 indexed role, address indexed account, address indexed sender);
    event OracleChanged(address indexed previousOracle, address indexed newOracle);
    event CollateralFactorChanged(uint256 previousBps, uint256 newBps);

    error MissingRole(bytes32 role, address account);
    error InsufficientBalance(uint256 balance, uint256 needed);
    error InsufficientLiquidity(uint256 liquidity, uint256 needed);
    error Undercollateralized(uint256 debt, uint256 borrowLimit);
    error CollateralFactorTooHigh(uint256 bps);

    modifier onlyRole(bytes32 role) {
        if (!hasRole[role][msg.sender]) revert MissingRole(role, msg.sender);
        _;
    }

    constructor(
        address admin_,
        address guardian_,
        uint256 unpauseDelay_,
        LimitMode mode_,
        uint256 periodLength_,
        uint256 windowPeriods_,
        address collateralToken_,
        address debtToken_,
        IPriceOracle oracle_,
        uint256 collateralFactorBps_
    ) GuardianPausable(admin_, guardian_, unpauseDelay_) OutflowLimiter(mode_, periodLength_, windowPeriods_) {
        if (collateralFactorBps_ > MAX_COLLATERAL_FACTOR_BPS) revert CollateralFactorTooHigh(collateralFactorBps_);
        collateralToken = collateralToken_;
        debtToken = debtToken_;
        oracle = oracle_;
        collateralFactorBps = collateralFactorBps_;
        emit OracleChanged(address(0), address(oracle_));
        emit CollateralFactorChanged(0, collateralFactorBps_);
    }

    // ---- Suppliers ----

    /// @notice Lends `amount` of `debtToken` to the market.
    function supply(uint256 amount) external whenNotPaused {
        Transfers.pull(debtToken, msg.sender, amount);
        suppliedOf[msg.sender] += amount;
        totalSupplied += amount;
        emit Supplied(msg.sender, amount);
    }

    /// @notice Takes back `amount` of the caller's supply, if the market holds it, within the outflow limit.
    function withdrawSupply(uint256 amount) external whenNotPaused {
        uint256 supplied = suppliedOf[msg.sender];
        if (supplied < amount) revert InsufficientBalance(supplied, amount);
        _requireLiquidity(amount);
        suppliedOf[msg.sender] = supplied - amount;
        totalSupplied -= amount;
        _sendLimited(debtToken, msg.sender, amount);
        emit SupplyWithdrawn(msg.sender, amount);
    }

    // ---- Borrowers ----

    /// @notice Locks `amount` of `collateralToken` as the caller's collateral.
    function depositCollateral(uint256 amount) external whenNotPaused {
        Transfers.pull(collateralToken, msg.sender, amount);
        collateralOf[msg.sender] += amount;
        emit CollateralDeposited(msg.sender, amount);
    }

    /// @notice Unlocks `amount` of the caller's collateral if the remaining collateral covers the debt.
    function withdrawCollateral(uint256 amount) external whenNotPaused {
        uint256 collateral = collateralOf[msg.sender];
        if (collateral < amount) revert InsufficientBalance(collateral, amount);
        collateralOf[msg.sender] = collateral - amount;
        _requireHealthy(msg.sender);
        _sendLimited(collateralToken, msg.sender, amount);
        emit CollateralWithdrawn(msg.sender, amount);
    }

    /// @notice Borrows `amount` of `debtToken` against the caller's collateral, within the outflow limit.
    function borrow(uint256 amount) external whenNotPaused {
        _requireLiquidity(amount);
        debtOf[msg.sender] += amount;
        totalBorrowed += amount;
        _requireHealthy(msg.sender);
        _sendLimited(debtToken, msg.sender, amount);
        emit Borrowed(msg.sender, amount);
    }

    /// @notice Repays up to `amount` of the caller's debt.
    function repay(uint256 amount) external whenNotPaused {
        uint256 debt = debtOf[msg.sender];
        if (amount > debt) amount = debt;
        Transfers.pull(debtToken, msg.sender, amount);
        debtOf[msg.sender] = debt - amount;
        totalBorrowed -= amount;
        emit Repaid(msg.sender, amount);
    }

    // ---- Views ----

    /// @notice Value of `account`'s collateral in `debtToken` units at the oracle's price.
    function collateralValue(address account) public view returns (uint256) {
        return collateralOf[account] * oracle.price() / 1e18;
    }

    /// @notice The most `account` may owe: its collateral value times the collateral factor.
    function borrowLimit(address account) public view returns (uint256) {
        return collateralValue(account) * collateralFactorBps / 10_000;
    }

    /// @notice What `account` can still borrow, ignoring liquidity and the outflow limit.
    function maxBorrow(address account) external view returns (uint256) {
        uint256 limit = borrowLimit(account);
        uint256 debt = debtOf[account];
        return limit > debt ? limit - debt : 0;
    }

    /// @notice `debtToken` the market can pay out now.
    function liquidity() public view returns (uint256) {
        return Transfers.balanceOfThis(debtToken) - totalEscrowed[debtToken];
    }

    // ---- Administration ----

    /// @notice Gives `role` to `account`. Admin only.
    function grantRole(bytes32 role, address account) external onlyAdmin {
        // DEMO-VULNERABILITY: compromised admin. One key grants any role at once, with no timelock
        // or second signer, and a risk manager can repoint the oracle without checks; a stolen
        // admin key makes itself risk manager, sets an oracle it controls and borrows everything.
        // The fix is a multisig-held, timelocked admin and bounds on oracle changes.
        hasRole[role][account] = true;
        emit RoleGranted(role, account, msg.sender);
    }

    /// @notice Takes `role` from `account`. Admin only.
    function revokeRole(bytes32 role, address account) external onlyAdmin {
        hasRole[role][account] = false;
        emit RoleRevoked(role, account, msg.sender);
    }

    /// @notice Replaces the price oracle. Risk manager only.
    function setOracle(IPriceOracle newOracle) external onlyRole(RISK_MANAGER_ROLE) {
        emit OracleChanged(address(oracle), address(newOracle));
        oracle = newOracle;
    }

    /// @notice Sets the collateral factor, at most `MAX_COLLATERAL_FACTOR_BPS`. Risk manager only.
    function setCollateralFactor(uint256 newBps) external onlyRole(RISK_MANAGER_ROLE) {
        if (newBps > MAX_COLLATERAL_FACTOR_BPS) revert CollateralFactorTooHigh(newBps);
        emit CollateralFactorChanged(collateralFactorBps, newBps);
        collateralFactorBps = newBps;
    }

    function _requireHealthy(address account) private view {
        uint256 debt = debtOf[account];
        if (debt == 0) return;
        // DEMO-VULNERABILITY: the borrow limit trusts the oracle's spot price (see DemoPriceOracle),
        // so collateral pumped inside a flash-loan transaction backs debt it is not worth.
        uint256 limit = borrowLimit(account);
        if (debt > limit) revert Undercollateralized(debt, limit);
    }

    function _requireLiquidity(uint256 amount) private view {
        uint256 available = liquidity();
        if (available < amount) revert InsufficientLiquidity(available, amount);
    }
}
