// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {GuardianPausable} from "../breakers/GuardianPausable.sol";
import {OutflowLimiter} from "../breakers/OutflowLimiter.sol";
import {Transfers} from "../breakers/Transfers.sol";

/// @title DemoVault
/// @notice Ether and ERC-20 deposit vault of Bulwark's demo protocol, guarded by a guardian pause
/// and an outflow limiter. It is deliberately vulnerable in the places marked
/// `DEMO-VULNERABILITY`, so that the monitor has real attacks to detect and stop.
/// DO NOT DEPLOY WITH VALUE.
contract DemoVault is OutflowLimiter {
    /// @notice Share of the vault's ether paid to whoever calls `harvest`, in basis points.
    uint256 public constant KEEPER_REWARD_BPS = 10;
    /// @notice Intended minimum time between two harvests.
    uint256 public constant HARVEST_INTERVAL = 1 days;

    /// @notice Deposited balance of each account per asset (ether is `address(0)`).
    mapping(address asset => mapping(address account => uint256)) public balanceOf;
    /// @notice When `harvest` last paid a reward.
    uint256 public lastHarvest;
    /// @notice Extension logic the vault delegates unknown calls to.
    address public implementation;

    event Deposited(address indexed asset, address indexed account, uint256 amount);
    event Withdrawn(address indexed asset, address indexed account, uint256 amount);
    event Harvested(address indexed keeper, uint256 reward);
    /// @dev Same signature as ERC-1967's `Upgraded(address)`.
    event Upgraded(address indexed implementation);

    error InsufficientBalance(uint256 balance, uint256 needed);
    error NothingToWithdraw();
    error HarvestTooSoon(uint256 nextAt);
    error NoImplementation();

    constructor(
        address admin_,
        address guardian_,
        uint256 unpauseDelay_,
        LimitMode mode_,
        uint256 periodLength_,
        uint256 windowPeriods_
    ) GuardianPausable(admin_, guardian_, unpauseDelay_) OutflowLimiter(mode_, periodLength_, windowPeriods_) {}

    /// @notice Deposits the ether sent with the call.
    function deposit() external payable whenNotPaused {
        _depositEther();
    }

    /// @notice Plain ether transfers are deposits too.
    receive() external payable whenNotPaused {
        _depositEther();
    }

    /// @notice Deposits `amount` of `token`, which the caller must have approved.
    function depositToken(address token, uint256 amount) external whenNotPaused {
        if (token == Transfers.NATIVE) revert Transfers.TransferFailed(token, address(this), amount);
        Transfers.pull(token, msg.sender, amount);
        balanceOf[token][msg.sender] += amount;
        emit Deposited(token, msg.sender, amount);
    }

    /// @notice Withdraws `amount` of the caller's ether, within the outflow limit.
    function withdraw(uint256 amount) external whenNotPaused {
        _debit(Transfers.NATIVE, amount);
        _sendLimited(Transfers.NATIVE, msg.sender, amount);
        emit Withdrawn(Transfers.NATIVE, msg.sender, amount);
    }

    /// @notice Withdraws `amount` of the caller's `token`, within the outflow limit.
    function withdrawToken(address token, uint256 amount) external whenNotPaused {
        _debit(token, amount);
        _sendLimited(token, msg.sender, amount);
        emit Withdrawn(token, msg.sender, amount);
    }

    /// @notice Withdraws all of the caller's ether.
    function withdrawAll() external whenNotPaused {
        uint256 amount = balanceOf[Transfers.NATIVE][msg.sender];
        if (amount == 0) revert NothingToWithdraw();
        // DEMO-VULNERABILITY: reentrancy. The ether is sent (to a recipient that may run code)
        // before the balance is cleared, so a contract can call `withdrawAll` again from its
        // `receive` and be paid its balance once per nested call. An attacker deposits a little,
        // drains a few multiples of it per transaction, and repeats over many transactions.
        // The fix is to zero the balance before sending (checks-effects-interactions), as
        // `withdraw` does. The outflow limiter still caps the total per window.
        _sendLimited(Transfers.NATIVE, msg.sender, amount);
        balanceOf[Transfers.NATIVE][msg.sender] = 0;
        emit Withdrawn(Transfers.NATIVE, msg.sender, amount);
    }

    /// @notice Pays the caller a keeper reward of `KEEPER_REWARD_BPS` of the vault's ether, at
    /// most once per `HARVEST_INTERVAL`.
    function harvest() external whenNotPaused {
        uint256 nextAt = lastHarvest + HARVEST_INTERVAL;
        if (block.timestamp < nextAt) revert HarvestTooSoon(nextAt);
        // DEMO-VULNERABILITY: slow drain. `lastHarvest` is never updated, so the cooldown never
        // applies and anyone can call `harvest` again and again. Each call takes only 0.1% of
        // the ether, small enough to pass a per-transaction threshold, but the calls add up; only
        // outflow over a window (or a baseline of how often `harvest` runs) reveals the drain.
        // The fix is `lastHarvest = block.timestamp;` before paying.
        uint256 reward = _outflowTvl(Transfers.NATIVE) * KEEPER_REWARD_BPS / 10_000;
        _sendLimited(Transfers.NATIVE, msg.sender, reward);
        emit Harvested(msg.sender, reward);
    }

    /// @notice Points the vault's extension logic at `newImplementation`. Admin only.
    function upgradeTo(address newImplementation) external onlyAdmin {
        // DEMO-VULNERABILITY: compromised admin. A single key switches the code that runs with the
        // vault's storage and funds, at once: no timelock, no multisig, no check of the new code.
        // Whoever holds the admin key can upgrade to a drainer and empty the vault in the next
        // transaction. The fix is a timelocked, multisig-held upgrade right.
        implementation = newImplementation;
        emit Upgraded(newImplementation);
    }

    /// @notice Delegates calls the vault does not know to `implementation`; stopped by the pause.
    fallback() external payable whenNotPaused {
        address target = implementation;
        if (target == address(0)) revert NoImplementation();
        assembly {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), target, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) { revert(0, returndatasize()) }
            return(0, returndatasize())
        }
    }

    function _depositEther() private {
        balanceOf[Transfers.NATIVE][msg.sender] += msg.value;
        emit Deposited(Transfers.NATIVE, msg.sender, msg.value);
    }

    function _debit(address asset, uint256 amount) private {
        uint256 balance = balanceOf[asset][msg.sender];
        if (balance < amount) revert InsufficientBalance(balance, amount);
        balanceOf[asset][msg.sender] = balance - amount;
    }
}
