// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title GuardianPausable
/// @notice Circuit breaker with two roles. The guardian (a hot key, typically held by Bulwark's
/// monitor) can pause at once. Only the admin can unpause, and only `unpauseDelay` seconds after
/// asking to, so a stolen guardian key can stop the protocol but never restart it, and a stolen
/// admin key cannot silently undo a pause.
/// @dev Inheriting contracts put `whenNotPaused` on every function that moves value.
abstract contract GuardianPausable {
    /// @notice The account that configures the contract and alone can unpause.
    address public admin;
    /// @notice The account proposed by `transferAdmin`, until it calls `acceptAdmin`.
    address public pendingAdmin;
    /// @notice The account that can pause at once; zero when there is none.
    address public guardian;
    /// @notice Whether the contract is paused.
    bool public paused;
    /// @notice When `unpause` becomes possible; zero when no unpause is requested.
    uint256 public unpauseReadyAt;
    /// @notice Seconds between `requestUnpause` and the earliest `unpause`.
    uint256 public immutable unpauseDelay;

    event AdminTransferStarted(address indexed previousAdmin, address indexed newAdmin);
    event AdminChanged(address indexed previousAdmin, address indexed newAdmin);
    event GuardianChanged(address indexed previousGuardian, address indexed newGuardian);
    /// @dev Same signature and layout as OpenZeppelin's `Paused(address)`, so tools that know it decode it.
    event Paused(address by);
    /// @param readyAt when `unpause` becomes possible.
    event UnpauseRequested(uint256 readyAt);
    event UnpauseCancelled(address by);
    event Unpaused(address by);

    error NotAdmin(address caller);
    error NotPendingAdmin(address caller);
    error NotGuardianOrAdmin(address caller);
    error EnforcedPause();
    error ExpectedPause();
    error UnpauseNotRequested();
    error UnpauseTooEarly(uint256 readyAt);
    error ZeroAddress();

    modifier onlyAdmin() {
        if (msg.sender != admin) revert NotAdmin(msg.sender);
        _;
    }

    modifier whenNotPaused() {
        if (paused) revert EnforcedPause();
        _;
    }

    modifier whenPaused() {
        if (!paused) revert ExpectedPause();
        _;
    }

    /// @param admin_ the first admin; must not be zero.
    /// @param guardian_ the first guardian; zero for none.
    /// @param unpauseDelay_ seconds an unpause must wait after it is requested.
    constructor(address admin_, address guardian_, uint256 unpauseDelay_) {
        if (admin_ == address(0)) revert ZeroAddress();
        admin = admin_;
        guardian = guardian_;
        unpauseDelay = unpauseDelay_;
        emit AdminChanged(address(0), admin_);
        emit GuardianChanged(address(0), guardian_);
    }

    /// @notice Stops every value-moving function at once. Callable by the guardian or the admin.
    /// @dev Pausing again while paused cancels a pending unpause request, so the guardian can veto
    /// an unpause it did not expect; otherwise it reverts with `EnforcedPause`.
    function pause() external {
        if (msg.sender != guardian && msg.sender != admin) revert NotGuardianOrAdmin(msg.sender);
        if (paused) {
            if (unpauseReadyAt == 0) revert EnforcedPause();
            unpauseReadyAt = 0;
            emit UnpauseCancelled(msg.sender);
            return;
        }
        paused = true;
        emit Paused(msg.sender);
    }

    /// @notice Starts the unpause delay. Admin only, while paused; requesting again restarts the delay.
    function requestUnpause() external onlyAdmin whenPaused {
        uint256 readyAt = block.timestamp + unpauseDelay;
        unpauseReadyAt = readyAt;
        emit UnpauseRequested(readyAt);
    }

    /// @notice Lifts the pause once the delay of a pending request has passed. Admin only.
    function unpause() external onlyAdmin whenPaused {
        uint256 readyAt = unpauseReadyAt;
        if (readyAt == 0) revert UnpauseNotRequested();
        if (block.timestamp < readyAt) revert UnpauseTooEarly(readyAt);
        paused = false;
        unpauseReadyAt = 0;
        emit Unpaused(msg.sender);
    }

    /// @notice Sets the guardian; zero removes it. Admin only.
    function setGuardian(address newGuardian) external onlyAdmin {
        emit GuardianChanged(guardian, newGuardian);
        guardian = newGuardian;
    }

    /// @notice Proposes a new admin, who takes over by calling `acceptAdmin`. Admin only.
    function transferAdmin(address newAdmin) external onlyAdmin {
        if (newAdmin == address(0)) revert ZeroAddress();
        pendingAdmin = newAdmin;
        emit AdminTransferStarted(admin, newAdmin);
    }

    /// @notice Completes an admin transfer. Callable by the pending admin only.
    function acceptAdmin() external {
        if (msg.sender != pendingAdmin) revert NotPendingAdmin(msg.sender);
        emit AdminChanged(admin, msg.sender);
        admin = msg.sender;
        pendingAdmin = address(0);
    }
}
