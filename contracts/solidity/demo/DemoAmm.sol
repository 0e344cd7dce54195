// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {Transfers} from "../breakers/Transfers.sol";

/// @title DemoAmm
/// @notice Constant-product pool (x * y = k, 0.3% fee) of two ERC-20 tokens. It stands for a
/// third-party DEX the demo protocol reads prices from, so it has no breaker of its own.
contract DemoAmm {
    /// @notice Swap fee in basis points.
    uint256 public constant FEE_BPS = 30;

    address public immutable token0;
    address public immutable token1;
    uint256 public reserve0;
    uint256 public reserve1;
    uint256 public totalShares;
    mapping(address provider => uint256) public sharesOf;

    bool private _locked;

    event LiquidityAdded(address indexed provider, uint256 amount0, uint256 amount1, uint256 shares);
    event LiquidityRemoved(address indexed provider, uint256 amount0, uint256 amount1, uint256 shares);
    event Swap(address indexed sender, address indexed tokenIn, uint256 amountIn, uint256 amountOut, address indexed to);
    event Sync(uint256 reserve0, uint256 reserve1);

    error UnknownToken(address token);
    error ZeroAmount();
    error InsufficientOutput(uint256 amountOut, uint256 minAmountOut);
    error InsufficientShares(uint256 shares, uint256 needed);
    error Reentrancy();

    modifier nonReentrant() {
        if (_locked) revert Reentrancy();
        _locked = true;
        _;
        _locked = false;
    }

    constructor(address token0_, address token1_) {
        if (token0_ == token1_ || token0_ == address(0) || token1_ == address(0)) revert UnknownToken(token1_);
        token0 = token0_;
        token1 = token1_;
    }

    /// @notice Adds both amounts (pulled in full, so bring them at the pool's ratio) and mints pool shares.
    function addLiquidity(uint256 amount0, uint256 amount1) external nonReentrant returns (uint256 shares) {
        if (amount0 == 0 || amount1 == 0) revert ZeroAmount();
        Transfers.pull(token0, msg.sender, amount0);
        Transfers.pull(token1, msg.sender, amount1);
        if (totalShares == 0) {
            shares = _sqrt(amount0 * amount1);
        } else {
            uint256 by0 = amount0 * totalShares / reserve0;
            uint256 by1 = amount1 * totalShares / reserve1;
            shares = by0 < by1 ? by0 : by1;
        }
        if (shares == 0) revert ZeroAmount();
        totalShares += shares;
        sharesOf[msg.sender] += shares;
        _sync(reserve0 + amount0, reserve1 + amount1);
        emit LiquidityAdded(msg.sender, amount0, amount1, shares);
    }

    /// @notice Burns `shares` and pays out their part of both reserves.
    function removeLiquidity(uint256 shares) external nonReentrant returns (uint256 amount0, uint256 amount1) {
        uint256 owned = sharesOf[msg.sender];
        if (shares == 0) revert ZeroAmount();
        if (owned < shares) revert InsufficientShares(owned, shares);
        amount0 = reserve0 * shares / totalShares;
        amount1 = reserve1 * shares / totalShares;
        sharesOf[msg.sender] = owned - shares;
        totalShares -= shares;
        _sync(reserve0 - amount0, reserve1 - amount1);
        Transfers.send(token0, msg.sender, amount0);
        Transfers.send(token1, msg.sender, amount1);
        emit LiquidityRemoved(msg.sender, amount0, amount1, shares);
    }

    /// @notice Sells `amountIn` of `tokenIn` (approved by the caller) for the other token, sent to `to`.
    function swap(address tokenIn, uint256 amountIn, uint256 minAmountOut, address to)
        external
        nonReentrant
        returns (uint256 amountOut)
    {
        amountOut = getAmountOut(tokenIn, amountIn);
        if (amountOut < minAmountOut || amountOut == 0) revert InsufficientOutput(amountOut, minAmountOut);
        Transfers.pull(tokenIn, msg.sender, amountIn);
        if (tokenIn == token0) {
            _sync(reserve0 + amountIn, reserve1 - amountOut);
            Transfers.send(token1, to, amountOut);
        } else {
            _sync(reserve0 - amountOut, reserve1 + amountIn);
            Transfers.send(token0, to, amountOut);
        }
        emit Swap(msg.sender, tokenIn, amountIn, amountOut, to);
    }

    /// @notice What `swap` pays for `amountIn` of `tokenIn` at the current reserves.
    function getAmountOut(address tokenIn, uint256 amountIn) public view returns (uint256) {
        (uint256 reserveIn, uint256 reserveOut) = _reservesFor(tokenIn);
        if (amountIn == 0 || reserveIn == 0) revert ZeroAmount();
        uint256 inWithFee = amountIn * (10_000 - FEE_BPS);
        return inWithFee * reserveOut / (reserveIn * 10_000 + inWithFee);
    }

    /// @notice The current reserves of `token0` and `token1`.
    function getReserves() external view returns (uint256, uint256) {
        return (reserve0, reserve1);
    }

    function _reservesFor(address tokenIn) private view returns (uint256 reserveIn, uint256 reserveOut) {
        if (tokenIn == token0) return (reserve0, reserve1);
        if (tokenIn == token1) return (reserve1, reserve0);
        revert UnknownToken(tokenIn);
    }

    function _sync(uint256 newReserve0, uint256 newReserve1) private {
        reserve0 = newReserve0;
        reserve1 = newReserve1;
        emit Sync(newReserve0, newReserve1);
    }

    function _sqrt(uint256 x) private pure returns (uint256 y) {
        if (x == 0) return 0;
        y = x;
        uint256 z = (x + 1) / 2;
        while (z < y) {
            y = z;
            z = (x / z + z) / 2;
        }
    }
}

/// @notice What the oracle and the attackers use of `DemoAmm`.
interface IDemoAmm {
    function token0() external view returns (address);
    function token1() external view returns (address);
    function getReserves() external view returns (uint256, uint256);
    function getAmountOut(address tokenIn, uint256 amountIn) external view returns (uint256);
    function swap(address tokenIn, uint256 amountIn, uint256 minAmountOut, address to) external returns (uint256);
}
