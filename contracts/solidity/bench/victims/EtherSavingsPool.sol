// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {GuardianPausable} from "../../breakers/GuardianPausable.sol";

/// @title EtherSavingsPool
/// @notice Benchmark victim: an ether savings pool where each account saves and redeems any part of
/// its balance. BENCH-VULNERABILITY: `redeem` pays before it books the redemption and has no
/// reentrancy guard. DO NOT DEPLOY WITH VALUE.
contract EtherSavingsPool is GuardianPausable {
    mapping(address account => uint256) public savings;

    event Saved(address indexed account, uint256 amount);
    event Redeemed(address indexed account, uint256 amount);

    error InsufficientSavings(uint256 balance, uint256 needed);
    error PayoutFailed();

    constructor(address admin_, address guardian_, uint256 unpauseDelay_)
        GuardianPausable(admin_, guardian_, unpauseDelay_)
    {}

    function save() external payable whenNotPaused {
        savings[msg.sender] += msg.value;
        emit Saved(msg.sender, msg.value);
    }

    function redeem(uint256 amount) external whenNotPaused {
        uint256 balance = savings[msg.sender];
        if (balance < amount) revert InsufficientSavings(balance, amount);
        (bool ok,) = payable(msg.sender).call{value: amount}("");
        if (!ok) revert PayoutFailed();
        // The stale balance is written back: a re-entered redeem is paid again.
        savings[msg.sender] = balance - amount;
        emit Redeemed(msg.sender, amount);
    }
}
