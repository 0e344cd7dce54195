// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {Transfers} from "../breakers/Transfers.sol";

/// @notice ERC-3156 flash borrower.
interface IERC3156FlashBorrower {
    function onFlashLoan(address initiator, address token, uint256 amount, uint256 fee, bytes calldata data)
        external
        returns (bytes32);
}

/// @title DemoFlashLender
/// @notice ERC-3156 flash lender of any token it holds (fund it by transfer), 0.09% fee. It stands
/// for a third-party flash-loan provider, so it has no breaker of its own.
contract DemoFlashLender {
    /// @notice What `onFlashLoan` must return.
    bytes32 public constant CALLBACK_SUCCESS = keccak256("ERC3156FlashBorrower.onFlashLoan");
    /// @notice Fee in basis points of the amount lent.
    uint256 public constant FEE_BPS = 9;

    bool private _locked;

    event FlashLoan(address indexed receiver, address indexed token, uint256 amount, uint256 fee);

    error AmountTooLarge(uint256 amount, uint256 max);
    error CallbackFailed();
    error NotRepaid(uint256 balance, uint256 needed);
    error Reentrancy();

    /// @notice The most that can be lent of `token` now.
    function maxFlashLoan(address token) public view returns (uint256) {
        return Transfers.balanceOfThis(token);
    }

    /// @notice The fee for lending `amount` (of any token).
    function flashFee(address, uint256 amount) public pure returns (uint256) {
        return amount * FEE_BPS / 10_000;
    }

    /// @notice Lends `amount` of `token` to `receiver` for the duration of its `onFlashLoan`, then
    /// pulls back `amount` plus the fee (the receiver must approve it).
    function flashLoan(IERC3156FlashBorrower receiver, address token, uint256 amount, bytes calldata data)
        external
        returns (bool)
    {
        if (_locked) revert Reentrancy();
        _locked = true;
        uint256 before = maxFlashLoan(token);
        if (amount > before || token == Transfers.NATIVE) revert AmountTooLarge(amount, before);
        uint256 fee = flashFee(token, amount);
        Transfers.send(token, address(receiver), amount);
        if (receiver.onFlashLoan(msg.sender, token, amount, fee, data) != CALLBACK_SUCCESS) revert CallbackFailed();
        Transfers.pull(token, address(receiver), amount + fee);
        uint256 afterwards = maxFlashLoan(token);
        if (afterwards < before + fee) revert NotRepaid(afterwards, before + fee);
        emit FlashLoan(address(receiver), token, amount, fee);
        _locked = false;
        return true;
    }
}
