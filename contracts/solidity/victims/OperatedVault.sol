// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice An ether vault run by an operator, for monitor tests: the shape of the outside trial
/// where an unguarded `initialize` handed the vault to a new account through a custom
/// `OperatorUpdated` event. Do not deploy it with value.
contract OperatedVault {
    address public operator;
    uint256 public fee;
    bool public paused;
    mapping(address => uint256) public balanceOf;

    event OperatorUpdated(address indexed previousOperator, address indexed newOperator);
    event FeeUpdated(uint256 fee);
    event Paused(address account);
    event Unpaused(address account);

    error NotOperator();
    error EnforcedPause();
    error TransferFailed();

    modifier onlyOperator() {
        if (msg.sender != operator) revert NotOperator();
        _;
    }

    modifier whenNotPaused() {
        if (paused) revert EnforcedPause();
        _;
    }

    // DEMO-VULNERABILITY: anyone can call it again and become the operator. Fix: run it once
    // (OpenZeppelin `initializer`), from the deploying transaction.
    function initialize(address operator_) external {
        emit OperatorUpdated(operator, operator_);
        operator = operator_;
    }

    function setOperator(address newOperator) external onlyOperator {
        emit OperatorUpdated(operator, newOperator);
        operator = newOperator;
    }

    function setFee(uint256 fee_) external onlyOperator {
        fee = fee_;
        emit FeeUpdated(fee_);
    }

    function pause() external onlyOperator {
        paused = true;
        emit Paused(msg.sender);
    }

    function unpause() external onlyOperator {
        paused = false;
        emit Unpaused(msg.sender);
    }

    function deposit() external payable whenNotPaused {
        balanceOf[msg.sender] += msg.value;
    }

    function withdraw(uint256 amount) external whenNotPaused {
        balanceOf[msg.sender] -= amount;
        _send(msg.sender, amount);
    }

    /// @notice The operator moves the vault's ether (to a strategy, for instance).
    function sweep(address to, uint256 amount) external onlyOperator whenNotPaused {
        _send(to, amount);
    }

    function _send(address to, uint256 amount) private {
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert TransferFailed();
    }
}
