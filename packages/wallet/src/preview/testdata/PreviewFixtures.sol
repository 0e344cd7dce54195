// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

// Small standard-shaped contracts for the preview tests: the preview must recognise them by
// their events, selectors and EIP-1967 slots, never by these names.

contract FixtureToken {
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    function mint(address to, uint256 amount) external {
        balanceOf[to] += amount;
        emit Transfer(address(0), to, amount);
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        balanceOf[msg.sender] -= amount;
        balanceOf[to] += amount;
        emit Transfer(msg.sender, to, amount);
        return true;
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }
}

contract FixtureNft {
    mapping(uint256 => address) public ownerOf;
    event Transfer(address indexed from, address indexed to, uint256 indexed tokenId);
    event ApprovalForAll(address indexed owner, address indexed operator, bool approved);

    function mint(address to, uint256 id) external {
        ownerOf[id] = to;
        emit Transfer(address(0), to, id);
    }

    function transferFrom(address from, address to, uint256 id) external {
        require(ownerOf[id] == from && msg.sender == from, "not owner");
        ownerOf[id] = to;
        emit Transfer(from, to, id);
    }

    function setApprovalForAll(address operator, bool approved) external {
        emit ApprovalForAll(msg.sender, operator, approved);
    }
}

/// Pays out what it is sent to two addresses: native value through inner calls.
contract FixtureSplitter {
    function split(address payable a, address payable b) external payable {
        a.transfer(msg.value / 2);
        b.transfer(msg.value - msg.value / 2);
    }

    function fail() external pure {
        revert("closed for maintenance");
    }
}

/// A transparent-style EIP-1967 proxy whose admin may upgrade it.
contract FixtureProxy {
    bytes32 private constant IMPLEMENTATION = 0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc;
    bytes32 private constant ADMIN = 0xb53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103;
    event Upgraded(address indexed implementation);

    constructor(address implementation) {
        assembly {
            sstore(IMPLEMENTATION, implementation)
            sstore(ADMIN, caller())
        }
    }

    function upgradeTo(address implementation) external {
        address admin;
        assembly {
            admin := sload(ADMIN)
        }
        require(msg.sender == admin, "not admin");
        assembly {
            sstore(IMPLEMENTATION, implementation)
        }
        emit Upgraded(implementation);
    }
}

/// What a delegatecall can do to a Safe: overwrite slot 0, the singleton (masterCopy).
contract FixtureSlotWriter {
    address private slot0;

    function write(address value) external {
        slot0 = value;
    }
}

/// A batch as MultiSend runs it: delegatecalled by a Safe, it calls whatever it is told (the Safe itself too).
contract FixtureBatcher {
    function run(address target, bytes calldata data) external {
        (bool ok, ) = target.call(data);
        require(ok, "batched call failed");
    }
}
