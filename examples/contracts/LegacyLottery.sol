pragma solidity ^0.5.0;

/// A lottery written for Solidity 0.5: randomness from block values, a timestamp deadline,
/// unchecked sends and arithmetic without SafeMath.
contract LegacyLottery {
    address payable public lastWinner;
    uint256 public pot;
    uint256 public deadline;
    mapping(address => uint256) public tickets;

    constructor() public {
        deadline = now + 1 days;
    }

    function buy(uint256 count) public payable {
        require(msg.value == count * 0.01 ether);
        tickets[msg.sender] += count;
        pot += msg.value;
    }

    function draw() public {
        require(now >= deadline);
        uint256 random = uint256(keccak256(abi.encodePacked(block.timestamp, block.difficulty))) % 100;
        if (random < 50) {
            lastWinner = msg.sender;
            lastWinner.send(pot);
            pot = 0;
        }
    }

    function refund(uint256 count) public {
        tickets[msg.sender] -= count;
        msg.sender.transfer(count * 0.01 ether);
    }
}
