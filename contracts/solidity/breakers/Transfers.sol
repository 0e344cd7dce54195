// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @notice The subset of ERC-20 the breakers and the demo protocol use.
interface IERC20 {
    function totalSupply() external view returns (uint256);
    function balanceOf(address account) external view returns (uint256);
    function allowance(address owner, address spender) external view returns (uint256);
    function transfer(address to, uint256 amount) external returns (bool);
    function approve(address spender, uint256 amount) external returns (bool);
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
}

/// @title Transfers
/// @notice Moves ether (asset `address(0)`) and ERC-20 tokens, accepting tokens that return nothing
/// and reverting on every failure.
library Transfers {
    /// @notice The asset id used for ether.
    address internal constant NATIVE = address(0);

    error TransferFailed(address asset, address to, uint256 amount);

    /// @dev Ether is sent with all remaining gas, so the recipient's code runs.
    function send(address asset, address to, uint256 amount) internal {
        if (asset == NATIVE) {
            (bool ok,) = payable(to).call{value: amount}("");
            if (!ok) revert TransferFailed(asset, to, amount);
        } else {
            _call(asset, abi.encodeCall(IERC20.transfer, (to, amount)), to, amount);
        }
    }

    function pull(address token, address from, uint256 amount) internal {
        _call(token, abi.encodeCall(IERC20.transferFrom, (from, address(this), amount)), address(this), amount);
    }

    function balanceOfThis(address asset) internal view returns (uint256) {
        return asset == NATIVE ? address(this).balance : IERC20(asset).balanceOf(address(this));
    }

    function _call(address token, bytes memory data, address to, uint256 amount) private {
        if (token.code.length == 0) revert TransferFailed(token, to, amount);
        (bool ok, bytes memory result) = token.call(data);
        if (!ok || (result.length != 0 && !abi.decode(result, (bool)))) revert TransferFailed(token, to, amount);
    }
}
