import { describe, expect, test } from 'vitest';
import { framesOf } from './frames.ts';
import { oneTimeGuard } from './oneTimeGuard.ts';
import { analyseSource, functionNamed } from './testing.ts';

const { program, analysis } = analyseSource(`pragma solidity ^0.8.0;
  contract C {
    struct InitStorage { bool initialized; }
    bool initialized;
    uint threshold;
    address owner;
    uint status = 1;
    mapping(address => bool) claimed;
    bytes32 constant FLAG_SLOT = keccak256("flag");
    modifier initializer() { require(!initialized); _; initialized = true; }
    modifier nonReentrant() { require(status == 1); status = 2; _; status = 1; }
    modifier branchy(bool fast) { require(!initialized); if (fast) { _; } else { _; } initialized = true; }
    function _store() internal pure returns (InitStorage storage s) { assembly { s.slot := 0 } }
    function byFlag() external { require(!initialized); initialized = true; owner = msg.sender; }
    function byThreshold(uint t) external { require(threshold == 0); _setup(t); }
    function _setup(uint t) internal { threshold = t; }
    function byModifier() external initializer { owner = msg.sender; }
    function byBranchyModifier(bool fast) external branchy(fast) { owner = msg.sender; }
    function byPointer() external { InitStorage storage s = _store(); require(!s.initialized); s.initialized = true; }
    function byAssembly() external {
      uint done;
      assembly { done := sload(FLAG_SLOT) }
      require(_flag() == 0);
      assembly { sstore(FLAG_SLOT, 1) }
    }
    function _flag() internal view returns (uint v) { assembly { v := sload(FLAG_SLOT) } }
    function byLock() external nonReentrant { owner = msg.sender; }
    function perKey() external { require(!claimed[msg.sender]); claimed[msg.sender] = true; }
    function readOnly() external { require(!initialized); owner = msg.sender; }
    function recursive(uint n) public { if (n > 0) { recursive(n - 1); } }
  }`);
const guard = (name: string) => oneTimeGuard(analysis, framesOf(analysis, functionNamed(program, 'C', name)));

describe('oneTimeGuard', () => {
  test('a condition on a storage place the same path then writes, in the body, a callee or a modifier', () => {
    expect(guard('byFlag')).toBe('state:initialized');
    expect(guard('byThreshold')).toBe('state:threshold');
    expect(guard('byModifier')).toBe('state:initialized');
    expect(guard('byBranchyModifier')).toBe('state:initialized');
    expect(guard('byPointer')).toBe('ptr:_store.initialized');
    expect(guard('byAssembly')).toBe('slot:FLAG_SLOT');
  });

  test('a lock released after the body, a per-key flag, a flag only read, and recursion guard nothing', () => {
    expect(guard('byLock')).toBeUndefined();
    expect(guard('perKey')).toBeUndefined();
    expect(guard('readOnly')).toBeUndefined();
    expect(guard('recursive')).toBeUndefined();
  });

  test('0.4: `if (initialized) throw;` then set guards once', () => {
    const { program: p, analysis: a } = analyseSource(`pragma solidity ^0.4.24;
      contract Old { bool initialized; address owner;
        function init() public { if (initialized) throw; initialized = true; owner = msg.sender; } }`);
    expect(oneTimeGuard(a, framesOf(a, functionNamed(p, 'Old', 'init')))).toBe('state:initialized');
  });
});
