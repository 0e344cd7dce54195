// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// The vault done right: checks-effects-interactions, a guardian pause (circuit breaker),
/// events for every critical change, and checked calls.
contract SafeVault {
    mapping(address => uint256) public balances;
    address public immutable admin;
    address public guardian;
    bool public paused;

    event Deposited(address indexed account, uint256 amount);
    event Withdrawn(address indexed account, uint256 amount);
    event Paused(address indexed by);
    event GuardianChanged(address indexed previous, address indexed next);

    error NotAuthorised();
    error IsPaused();

    constructor(address admin_, address guardian_) {
        require(admin_ != address(0) && guardian_ != address(0), "zero address");
        admin = admin_;
        guardian = guardian_;
    }

    modifier whenNotPaused() {
        if (paused) revert IsPaused();
        _;
    }

    function deposit() external payable whenNotPaused {
        balances[msg.sender] += msg.value;
        emit Deposited(msg.sender, msg.value);
    }

    function withdraw(uint256 amount) external whenNotPaused {
        balances[msg.sender] -= amount;
        emit Withdrawn(msg.sender, amount);
        (bool ok, ) = msg.sender.call{value: amount}("");
        require(ok, "send failed");
    }

    function pause() external {
        if (msg.sender != guardian && msg.sender != admin) revert NotAuthorised();
        paused = true;
        emit Paused(msg.sender);
    }

    function setGuardian(address next) external {
        if (msg.sender != admin) revert NotAuthorised();
        require(next != address(0), "zero address");
        emit GuardianChanged(guardian, next);
        guardian = next;
    }
}
