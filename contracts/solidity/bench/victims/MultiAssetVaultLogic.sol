// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {Transfers} from "../../breakers/Transfers.sol";

/// @title MultiAssetVaultLogic
/// @notice Benchmark victim's logic behind `PausableAssetProxy`: deposits and withdrawals of ether
/// and of any ERC-20, per account. Its state starts at slot 16, above the proxy's.
contract MultiAssetVaultLogic {
    uint256[16] private _proxyReserved;
    mapping(address asset => mapping(address account => uint256)) public depositOf;

    event Deposit(address indexed asset, address indexed account, uint256 amount);
    event Withdrawal(address indexed asset, address indexed account, uint256 amount);

    error Insufficient(uint256 balance, uint256 needed);

    function depositEther() external payable {
        depositOf[Transfers.NATIVE][msg.sender] += msg.value;
        emit Deposit(Transfers.NATIVE, msg.sender, msg.value);
    }

    function deposit(address asset, uint256 amount) external {
        Transfers.pull(asset, msg.sender, amount);
        depositOf[asset][msg.sender] += amount;
        emit Deposit(asset, msg.sender, amount);
    }

    function withdraw(address asset, uint256 amount) external {
        uint256 balance = depositOf[asset][msg.sender];
        if (balance < amount) revert Insufficient(balance, amount);
        depositOf[asset][msg.sender] = balance - amount;
        Transfers.send(asset, msg.sender, amount);
        emit Withdrawal(asset, msg.sender, amount);
    }
}
