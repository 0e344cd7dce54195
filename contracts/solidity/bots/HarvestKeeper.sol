// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

interface IHarvestable {
    function harvest() external;
}

/// @title HarvestKeeper
/// @notice Test and demo benign bot: calls a vault's `harvest` once per run and keeps the keeper
/// reward (a small share of the vault, by design) until its owner collects it.
contract HarvestKeeper {
    address public immutable owner;
    IHarvestable public immutable vault;

    error NotOwner(address caller);

    constructor(IHarvestable vault_) {
        owner = msg.sender;
        vault = vault_;
    }

    /// @notice One keeper run.
    function work() external {
        vault.harvest();
    }

    /// @notice Sends the rewards collected to the owner. Owner only.
    function collect() external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        (bool ok,) = payable(owner).call{value: address(this).balance}("");
        require(ok);
    }

    receive() external payable {}
}
