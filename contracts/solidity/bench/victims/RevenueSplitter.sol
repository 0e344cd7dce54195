// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {GuardianPausable} from "../../breakers/GuardianPausable.sol";

/// @title RevenueSplitter
/// @notice Benchmark victim: holds ether revenue; a keeper's `distribute` pays each payee its
/// share. Anyone may join as a payee with a bond, and `claimDust` pays a payee 0.25% of the pool as
/// a rounding allowance. BENCH-VULNERABILITY: `claimDust` never records that it paid, so a payee
/// can call it again and again, each call small. DO NOT DEPLOY WITH VALUE.
contract RevenueSplitter is GuardianPausable {
    uint256 public constant DUST_BPS = 25;
    uint256 public constant BOND = 0.1 ether;

    address[] public payees;
    mapping(address payee => bool) public isPayee;

    event PayeeAdded(address indexed payee);
    event Distributed(address indexed keeper, uint256 amount, uint256 payees);
    event DustClaimed(address indexed payee, uint256 amount);
    event RevenueReceived(address indexed from, uint256 amount);

    error NotPayee(address caller);
    error WrongBond(uint256 sent);
    error PayoutFailed();

    constructor(address admin_, address guardian_, uint256 unpauseDelay_)
        GuardianPausable(admin_, guardian_, unpauseDelay_)
    {}

    receive() external payable {
        emit RevenueReceived(msg.sender, msg.value);
    }

    function join() external payable whenNotPaused {
        if (msg.value != BOND) revert WrongBond(msg.value);
        if (!isPayee[msg.sender]) {
            isPayee[msg.sender] = true;
            payees.push(msg.sender);
            emit PayeeAdded(msg.sender);
        }
    }

    /// @notice Pays `amount` split evenly among the payees (a keeper's job).
    function distribute(uint256 amount) external whenNotPaused {
        uint256 count = payees.length;
        uint256 each = amount / count;
        for (uint256 i; i < count; ++i) _pay(payees[i], each);
        emit Distributed(msg.sender, each * count, count);
    }

    function claimDust() external whenNotPaused {
        if (!isPayee[msg.sender]) revert NotPayee(msg.sender);
        uint256 amount = address(this).balance * DUST_BPS / 10_000;
        _pay(msg.sender, amount);
        emit DustClaimed(msg.sender, amount);
    }

    function payeeCount() external view returns (uint256) {
        return payees.length;
    }

    function _pay(address to, uint256 amount) private {
        (bool ok,) = payable(to).call{value: amount}("");
        if (!ok) revert PayoutFailed();
    }
}
