// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {GuardianPausable} from "../../breakers/GuardianPausable.sol";

/// @title PausableAssetProxy
/// @notice Benchmark victim: an upgradeable proxy whose pause sits in the proxy itself, so a pause
/// holds whatever the implementation is. The admin upgrades it in one step (no timelock): whoever
/// holds the admin key can point it at any code. Storage below slot 16 is the proxy's; an
/// implementation keeps its state above it.
contract PausableAssetProxy is GuardianPausable {
    /// @dev ERC-1967 implementation slot.
    bytes32 private constant IMPLEMENTATION_SLOT = 0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc;

    /// @dev Same signature as ERC-1967's.
    event Upgraded(address indexed implementation);

    constructor(address admin_, address guardian_, uint256 unpauseDelay_, address implementation_)
        GuardianPausable(admin_, guardian_, unpauseDelay_)
    {
        _setImplementation(implementation_);
    }

    function implementation() public view returns (address impl) {
        bytes32 slot = IMPLEMENTATION_SLOT;
        assembly {
            impl := sload(slot)
        }
    }

    function upgradeTo(address newImplementation) external onlyAdmin {
        _setImplementation(newImplementation);
    }

    fallback() external payable whenNotPaused {
        address impl = implementation();
        assembly {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), impl, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            switch ok
            case 0 { revert(0, returndatasize()) }
            default { return(0, returndatasize()) }
        }
    }

    receive() external payable whenNotPaused {}

    function _setImplementation(address newImplementation) private {
        bytes32 slot = IMPLEMENTATION_SLOT;
        assembly {
            sstore(slot, newImplementation)
        }
        emit Upgraded(newImplementation);
    }
}
