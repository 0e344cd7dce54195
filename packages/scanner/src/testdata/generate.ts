/** Generated Solidity programs for fuzzing the IR and the detectors. */

import type { Random } from '@bulwark/core';

/** One statement touching state, calling out or calling another internal function of the contract. */
function statement(r: Random, callees: readonly string[]): string {
  const callee = r.pick(callees);
  return r.pick([
    'total += n;',
    'balances[msg.sender] -= 1;',
    'balances[to] += n;',
    `if (n > 0) { n = ${callee}(n - 1, to); }`,
    `n = ${callee}(n / 2, msg.sender);`,
    '(bool ok, ) = to.call{value: n}(""); require(ok);',
    'payable(to).transfer(n);',
    'require(balances[msg.sender] >= n);',
    'for (uint256 i = 0; i < n; i++) { total += i; }',
    'while (n > 10) { n = n - 3; }',
    'if (block.timestamp % 2 == 0) { owner = to; }',
    'emit Moved(to, n);',
    'delete balances[to];',
    'token.transferFrom(to, address(this), n);',
    `unchecked { total = total * n + ${r.int(1000)}; }`,
  ]);
}

/**
 * A contract whose internal functions call each other at random (self-recursion and cycles of
 * any length), reached from external entry points and modifiers that call them too.
 */
export function recursiveProgram(r: Random, functions: number, statements: number): string {
  const names = Array.from({ length: functions }, (_, i) => `f${i}`);
  const body = (name: string) =>
    Array.from({ length: statements }, () => `        ${statement(r, [name, ...names])}`).join('\n');
  return `pragma solidity ^0.8.0;
interface IToken { function transferFrom(address, address, uint256) external returns (bool); }
contract Fuzzed {
    event Moved(address to, uint256 n);
    mapping(address => uint256) public balances;
    uint256 public total;
    address public owner;
    IToken public token;
    modifier guarded(uint256 n) { require(msg.sender == owner || ${r.pick(names)}(n, msg.sender) > 0); _; ${r.pick(names)}(n, msg.sender); }
${names.map((name) => `    function ${name}(uint256 n, address to) internal returns (uint256) {\n${body(name)}\n        return n;\n    }`).join('\n')}
    function entry(uint256 n, address to) external guarded(n) returns (uint256) { return ${r.pick(names)}(n, to); }
    function other(uint256 n) external payable { ${r.pick(names)}(n, msg.sender); balances[msg.sender] = 0; }
    receive() external payable { ${r.pick(names)}(msg.value, msg.sender); }
}
`;
}

/** `depth` contracts, each inheriting the previous ones, overriding and calling `super`. */
export function deepInheritance(depth: number): string {
  const contracts = [
    'abstract contract C0 { uint256 internal x0; function step(uint256 n) internal virtual returns (uint256) { return n; } }',
  ];
  for (let i = 1; i < depth; i++) {
    const bases = i > 2 ? `C${i - 1}, C${i - 2}` : `C${i - 1}`;
    const overridden = i > 2 ? `C${i - 1}, C${i - 2}` : `C${i - 1}`;
    contracts.push(
      `abstract contract C${i} is ${i > 2 ? `C${i - 2}, C${i - 1}` : bases} { uint256 internal x${i}; function step(uint256 n) internal virtual override(${overridden}) returns (uint256) { x${i} += n; return super.step(n + 1); } }`,
    );
  }
  contracts.push(
    `contract Leaf is C${depth - 1} { function step(uint256 n) internal override returns (uint256) { return super.step(n); } function go(uint256 n) external returns (uint256) { return step(n); } }`,
  );
  return `pragma solidity ^0.8.0;\n${contracts.join('\n')}\n`;
}
