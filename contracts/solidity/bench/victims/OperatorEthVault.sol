// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {GuardianPausable} from "../../breakers/GuardianPausable.sol";

/// @title OperatorEthVault
/// @notice Benchmark victim: an ether vault run by an operator who rebalances it (`relocate`) to
/// strategies. BENCH-VULNERABILITY: `initialize` is unguarded and can be called again, so anyone
/// can make themselves the operator. The operator change is announced by a custom event, not a
/// standard ownership one. DO NOT DEPLOY WITH VALUE.
contract OperatorEthVault is GuardianPausable {
    address public operator;
    mapping(address account => uint256) public shares;

    event OperatorAppointed(address indexed operator, uint256 at);
    event Staked(address indexed account, uint256 amount);
    event Unstaked(address indexed account, uint256 amount);
    event Relocated(address indexed to, uint256 amount);

    error NotOperator(address caller);
    error Insufficient(uint256 balance, uint256 needed);
    error PayoutFailed();

    constructor(address admin_, address guardian_, uint256 unpauseDelay_)
        GuardianPausable(admin_, guardian_, unpauseDelay_)
    {}

    function initialize(address operator_) external {
        operator = operator_;
        emit OperatorAppointed(operator_, block.timestamp);
    }

    function stake() external payable whenNotPaused {
        shares[msg.sender] += msg.value;
        emit Staked(msg.sender, msg.value);
    }

    function unstake(uint256 amount) external whenNotPaused {
        uint256 balance = shares[msg.sender];
        if (balance < amount) revert Insufficient(balance, amount);
        shares[msg.sender] = balance - amount;
        _pay(msg.sender, amount);
        emit Unstaked(msg.sender, amount);
    }

    /// @notice Moves ether to a strategy (operator only).
    function relocate(address to, uint256 amount) external whenNotPaused {
        if (msg.sender != operator) revert NotOperator(msg.sender);
        _pay(to, amount);
        emit Relocated(to, amount);
    }

    /// @notice A strategy returns ether.
    function replenish() external payable {}

    function _pay(address to, uint256 amount) private {
        (bool ok,) = payable(to).call{value: amount}("");
        if (!ok) revert PayoutFailed();
    }
}
