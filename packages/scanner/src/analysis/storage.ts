import { type Analysis, type FunctionIR, findStateVariable, type Node, type StateVariable } from '@bulwark/solidity';

/** The state variable at the root of an lvalue-ish expression (`a`, `a[i].b`, `a.b[c]`). */
export function rootStateVariable(fn: FunctionIR, node: Node, analysis: Analysis): StateVariable | undefined {
  let current: Node | undefined = node;
  while (current) {
    if (current.type === 'IndexAccess') current = current.base;
    else if (current.type === 'MemberAccess') current = current.expression;
    else break;
  }
  if (current?.type !== 'Identifier') return undefined;
  if (analysis.facts(fn).locals.has(current.name)) return undefined;
  return findStateVariable(fn.contract, current.name);
}
