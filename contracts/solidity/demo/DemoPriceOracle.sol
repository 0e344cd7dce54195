// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IDemoAmm} from "./DemoAmm.sol";

/// @notice A price source for one asset.
interface IPriceOracle {
    /// @notice Units of the quote token per 1e18 units of the base token, scaled by 1e18.
    function price() external view returns (uint256);
}

/// @title DemoPriceOracle
/// @notice Prices `baseToken` in the other token of a `DemoAmm` pool.
contract DemoPriceOracle is IPriceOracle {
    IDemoAmm public immutable amm;
    address public immutable baseToken;

    error NotInPool(address token);
    error EmptyPool();

    constructor(IDemoAmm amm_, address baseToken_) {
        if (baseToken_ != amm_.token0() && baseToken_ != amm_.token1()) revert NotInPool(baseToken_);
        amm = amm_;
        baseToken = baseToken_;
    }

    /// @inheritdoc IPriceOracle
    function price() external view returns (uint256) {
        // DEMO-VULNERABILITY: spot-price oracle. The price is the pool's reserve ratio at this
        // instant, which anyone can move as far as they like within one transaction by swapping
        // a flash-loaned amount into the pool, then swap back after using the price. The fix is
        // a time-weighted average price or an external oracle with deviation checks.
        (uint256 reserve0, uint256 reserve1) = amm.getReserves();
        (uint256 baseReserve, uint256 quoteReserve) = baseToken == amm.token0() ? (reserve0, reserve1) : (reserve1, reserve0);
        if (baseReserve == 0) revert EmptyPool();
        return quoteReserve * 1e18 / baseReserve;
    }
}
