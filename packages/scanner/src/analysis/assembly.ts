import { type FunctionIR, findAll, type Node } from '@bulwark/solidity';

/** Inline-assembly calls with one of the given names (`sstore`, `delegatecall`, `selfdestruct`, ...) in a function body. */
export function assemblyCalls(fn: FunctionIR, names: Set<string>): Node[] {
  if (!fn.body) return [];
  return findAll(fn.body, (n) => n.type === 'AssemblyCall' && names.has(n.functionName));
}
