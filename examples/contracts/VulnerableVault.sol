// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// A deposit vault with the classic mistakes: pays out before updating balances, authorises
/// the admin through tx.origin, ignores a low-level call's result, and cannot be paused.
contract VulnerableVault {
    mapping(address => uint256) public balances;
    address public owner;
    uint256 public feeBps;

    constructor() {
        owner = msg.sender;
    }

    function deposit() external payable {
        balances[msg.sender] += msg.value;
    }

    function withdrawAll() external {
        uint256 amount = balances[msg.sender];
        require(amount > 0, "nothing to withdraw");
        (bool ok, ) = msg.sender.call{value: amount}("");
        require(ok, "send failed");
        balances[msg.sender] = 0;
    }

    function setFee(uint256 newFee) external {
        require(tx.origin == owner, "not owner");
        feeBps = newFee;
    }

    function sweep(address payable to) external {
        require(msg.sender == owner, "not owner");
        to.call{value: address(this).balance}("");
    }
}
