// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {GuardianPausable} from "../../breakers/GuardianPausable.sol";
import {Transfers} from "../../breakers/Transfers.sol";

/// @title RoleTreasury
/// @notice Benchmark victim: a treasury with role-based access (the events and role ids follow
/// OpenZeppelin's AccessControl). Holders of PAYER_ROLE pay bills from it; the role admin grants
/// and revokes roles in one step. Losing the role admin's key hands the treasury to the thief.
contract RoleTreasury is GuardianPausable {
    bytes32 public constant DEFAULT_ADMIN_ROLE = 0x00;
    bytes32 public constant PAYER_ROLE = keccak256("PAYER_ROLE");

    mapping(bytes32 role => mapping(address account => bool)) private _roles;

    event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender);
    event RoleRevoked(bytes32 indexed role, address indexed account, address indexed sender);
    event Paid(address indexed asset, address indexed to, uint256 amount, bytes32 memo);
    event Received(address indexed from, uint256 amount);

    error MissingRole(address account, bytes32 role);

    constructor(address admin_, address guardian_, uint256 unpauseDelay_)
        GuardianPausable(admin_, guardian_, unpauseDelay_)
    {
        _roles[DEFAULT_ADMIN_ROLE][admin_] = true;
        emit RoleGranted(DEFAULT_ADMIN_ROLE, admin_, msg.sender);
    }

    modifier onlyRole(bytes32 role) {
        if (!_roles[role][msg.sender]) revert MissingRole(msg.sender, role);
        _;
    }

    receive() external payable {
        emit Received(msg.sender, msg.value);
    }

    function hasRole(bytes32 role, address account) external view returns (bool) {
        return _roles[role][account];
    }

    function grantRole(bytes32 role, address account) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (!_roles[role][account]) {
            _roles[role][account] = true;
            emit RoleGranted(role, account, msg.sender);
        }
    }

    function revokeRole(bytes32 role, address account) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (_roles[role][account]) {
            _roles[role][account] = false;
            emit RoleRevoked(role, account, msg.sender);
        }
    }

    function pay(address asset, address to, uint256 amount, bytes32 memo) external whenNotPaused onlyRole(PAYER_ROLE) {
        Transfers.send(asset, to, amount);
        emit Paid(asset, to, amount, memo);
    }
}
