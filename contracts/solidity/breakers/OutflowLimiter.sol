// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {GuardianPausable} from "./GuardianPausable.sol";
import {Transfers} from "./Transfers.sol";

/// @title OutflowLimiter
/// @notice Rate limit on what leaves the contract, per asset (ether is `address(0)`), in the
/// spirit of ERC-7265. Outflows are summed over a rolling window of `windowPeriods` fixed periods
/// of `periodLength` seconds. The admin sets, per asset, an absolute cap per window and/or a cap
/// in basis points of the asset's TVL; with neither the asset is unlimited.
/// Beyond the limit the contract either reverts (`LimitMode.Revert`) or pays what the window
/// still allows and escrows the rest (`LimitMode.Escrow`). An escrow breach also trips the
/// asset's breaker: every later outflow of that asset is escrowed whole until the admin resets
/// it. Escrowed claims are released by the admin at any time, cancelled by the admin, or
/// claimed by anyone for their recipient once the breaker has been reset after they were made.
/// @dev Inheriting contracts send value only through `_sendLimited`. Gas: an outflow reads
/// `windowPeriods` storage slots (at most 24) and writes one.
abstract contract OutflowLimiter is GuardianPausable {
    enum LimitMode {
        Revert,
        Escrow
    }

    struct Limit {
        uint128 maxPerWindow; // 0: no absolute cap
        uint16 maxBpsOfTvl; // 0: no TVL-relative cap
    }

    struct Bucket {
        uint64 period;
        uint192 amount;
    }

    struct Claim {
        address asset;
        address recipient;
        uint256 amount;
        uint256 epoch; // the asset's breaker epoch when the claim was made
    }

    /// @notice Upper bound of `windowPeriods`, which bounds the gas of an outflow.
    uint256 public constant MAX_WINDOW_PERIODS = 24;

    /// @notice Whether a breach reverts or escrows; fixed at construction.
    LimitMode public immutable limitMode;
    /// @notice Length of one accounting period, in seconds.
    uint256 public immutable periodLength;
    /// @notice Number of periods in the rolling window.
    uint256 public immutable windowPeriods;

    /// @notice The configured limit of each asset.
    mapping(address asset => Limit) public outflowLimits;
    /// @notice Whether an escrow-mode breach has tripped the asset's breaker.
    mapping(address asset => bool) public outflowBreakerTripped;
    /// @notice How many times the asset's breaker has been reset.
    mapping(address asset => uint256) public breakerEpoch;
    /// @notice Escrowed amount of each asset, still held by this contract.
    mapping(address asset => uint256) public totalEscrowed;
    /// @notice Pending escrow claims by id; a settled claim reads as all zeros.
    mapping(uint256 id => Claim) public claims;
    /// @notice The id the next escrow claim gets.
    uint256 public nextClaimId;

    mapping(address asset => Bucket[MAX_WINDOW_PERIODS]) private _buckets;

    event OutflowLimitSet(address indexed asset, uint256 maxPerWindow, uint256 maxBpsOfTvl);
    /// @param amount the outflow that was asked for; `limit` the window's limit at that moment.
    event OutflowLimitBreached(address indexed asset, uint256 amount, uint256 limit);
    event OutflowEscrowed(uint256 indexed claimId, address indexed asset, address indexed recipient, uint256 amount);
    event OutflowBreakerReset(address indexed asset, address by, uint256 epoch);
    event ClaimReleased(uint256 indexed claimId, address indexed recipient, uint256 amount);
    event ClaimCancelled(uint256 indexed claimId, uint256 amount);

    error OutflowLimitExceeded(address asset, uint256 amount, uint256 available);
    error InvalidWindow();
    error InvalidBps(uint256 bps);
    error UnknownClaim(uint256 claimId);
    error ClaimLocked(uint256 claimId);

    /// @param mode_ revert or escrow beyond the limit.
    /// @param periodLength_ seconds per accounting period (non-zero).
    /// @param windowPeriods_ periods per window, 1 to `MAX_WINDOW_PERIODS`.
    constructor(LimitMode mode_, uint256 periodLength_, uint256 windowPeriods_) {
        if (periodLength_ == 0 || windowPeriods_ == 0 || windowPeriods_ > MAX_WINDOW_PERIODS) revert InvalidWindow();
        limitMode = mode_;
        periodLength = periodLength_;
        windowPeriods = windowPeriods_;
    }

    /// @notice Sets an asset's limit per window: an absolute cap and/or a share of TVL in basis
    /// points (the lower applies; zero disables either). Outflows are counted only while an
    /// asset has a limit. Admin only.
    function setOutflowLimit(address asset, uint128 maxPerWindow, uint16 maxBpsOfTvl) external onlyAdmin {
        if (maxBpsOfTvl > 10_000) revert InvalidBps(maxBpsOfTvl);
        outflowLimits[asset] = Limit(maxPerWindow, maxBpsOfTvl);
        emit OutflowLimitSet(asset, maxPerWindow, maxBpsOfTvl);
    }

    /// @notice Un-trips an asset's breaker and unlocks the claims escrowed before now. Admin only.
    function resetOutflowBreaker(address asset) external onlyAdmin {
        outflowBreakerTripped[asset] = false;
        uint256 epoch = ++breakerEpoch[asset];
        emit OutflowBreakerReset(asset, msg.sender, epoch);
    }

    /// @notice Pays an escrowed claim to its recipient now. Admin only; allowed while paused.
    function releaseClaim(uint256 claimId) external onlyAdmin {
        _payClaim(claimId);
    }

    /// @notice Drops an escrowed claim; its assets stay in the contract and count as TVL again,
    /// for the protocol to settle (e.g. an attacker's excess). Admin only.
    function cancelClaim(uint256 claimId) external onlyAdmin {
        Claim memory c = claims[claimId];
        if (c.amount == 0) revert UnknownClaim(claimId);
        delete claims[claimId];
        totalEscrowed[c.asset] -= c.amount;
        emit ClaimCancelled(claimId, c.amount);
    }

    /// @notice Pays an escrowed claim to its recipient once its asset's breaker has been reset
    /// since the claim was made. Anyone may call.
    function claim(uint256 claimId) external whenNotPaused {
        Claim memory c = claims[claimId];
        if (c.amount == 0) revert UnknownClaim(claimId);
        if (c.epoch >= breakerEpoch[c.asset]) revert ClaimLocked(claimId);
        _payClaim(claimId);
    }

    /// @notice Sum of the asset's outflows in the current window.
    function outflowInWindow(address asset) public view returns (uint256 total) {
        uint256 current = block.timestamp / periodLength;
        Bucket[MAX_WINDOW_PERIODS] storage buckets = _buckets[asset];
        for (uint256 i; i < windowPeriods; ++i) {
            Bucket memory b = buckets[i];
            if (b.period + windowPeriods > current) total += b.amount;
        }
    }

    /// @notice The asset's limit for the current window; `type(uint256).max` when unlimited.
    /// @dev The TVL share is taken of the TVL before this window's outflows, so the limit does not
    /// shrink as the window is used.
    function outflowLimit(address asset) public view returns (uint256 limit) {
        Limit memory l = outflowLimits[asset];
        limit = type(uint256).max;
        if (l.maxPerWindow != 0) limit = l.maxPerWindow;
        if (l.maxBpsOfTvl != 0) {
            uint256 byTvl = (_outflowTvl(asset) + outflowInWindow(asset)) * l.maxBpsOfTvl / 10_000;
            if (byTvl < limit) limit = byTvl;
        }
    }

    /// @notice What can still leave in the current window before the limit is reached.
    function availableOutflow(address asset) public view returns (uint256) {
        if (outflowBreakerTripped[asset]) return 0;
        uint256 limit = outflowLimit(asset);
        if (limit == type(uint256).max) return limit;
        uint256 used = outflowInWindow(asset);
        return limit > used ? limit - used : 0;
    }

    /// @notice Sends `amount` of `asset` to `to` within the limit; returns what was paid now (the
    /// rest, in escrow mode, becomes a claim for `to`).
    function _sendLimited(address asset, address to, uint256 amount) internal returns (uint256 sent) {
        if (amount == 0) return 0;
        if (outflowBreakerTripped[asset]) {
            _escrow(asset, to, amount);
            return 0;
        }
        uint256 limit = outflowLimit(asset);
        if (limit != type(uint256).max) {
            uint256 used = outflowInWindow(asset);
            uint256 available = limit > used ? limit - used : 0;
            if (amount > available) {
                if (limitMode == LimitMode.Revert) revert OutflowLimitExceeded(asset, amount, available);
                emit OutflowLimitBreached(asset, amount, limit);
                outflowBreakerTripped[asset] = true;
                _escrow(asset, to, amount - available);
                amount = available;
            }
            _record(asset, amount);
        }
        if (amount != 0) Transfers.send(asset, to, amount);
        return amount;
    }

    /// @notice The asset's TVL for the TVL-relative cap: what the contract holds, less escrow.
    /// @dev Override where the held balance is not the protected value.
    function _outflowTvl(address asset) internal view virtual returns (uint256) {
        return Transfers.balanceOfThis(asset) - totalEscrowed[asset];
    }

    function _record(address asset, uint256 amount) private {
        uint256 current = block.timestamp / periodLength;
        Bucket storage b = _buckets[asset][current % windowPeriods];
        uint256 sum = b.period == current ? b.amount + amount : amount;
        if (sum > type(uint192).max) revert OutflowLimitExceeded(asset, amount, 0);
        b.period = uint64(current);
        b.amount = uint192(sum);
    }

    function _escrow(address asset, address to, uint256 amount) private {
        uint256 claimId = nextClaimId++;
        claims[claimId] = Claim(asset, to, amount, breakerEpoch[asset]);
        totalEscrowed[asset] += amount;
        emit OutflowEscrowed(claimId, asset, to, amount);
    }

    function _payClaim(uint256 claimId) private {
        Claim memory c = claims[claimId];
        if (c.amount == 0) revert UnknownClaim(claimId);
        delete claims[claimId];
        totalEscrowed[c.asset] -= c.amount;
        Transfers.send(c.asset, c.recipient, c.amount);
        emit ClaimReleased(claimId, c.recipient, c.amount);
    }
}
