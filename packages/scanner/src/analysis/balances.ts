import type { Analysis, FunctionIR, Node } from '@bulwark/solidity';
import { isSelf } from './expressions.ts';
import { localInitialiser } from './locals.ts';

/** The contract's own ether or token balance: `address(this).balance`, `this.balance`, `t.balanceOf(address(this))`. */
export function ownBalance(node: Node, fn: FunctionIR, analysis: Analysis, depth = 0): string | undefined {
  if (depth > 3) return undefined;
  if (node.type === 'MemberAccess' && node.memberName === 'balance' && isSelf(node.expression)) return 'ether balance';
  if (
    node.type === 'FunctionCall' &&
    node.expression?.type === 'MemberAccess' &&
    node.expression.memberName === 'balanceOf' &&
    node.arguments?.length === 1 &&
    isSelf(node.arguments[0])
  )
    return 'token balance';
  if (node.type === 'Identifier' && analysis.facts(fn).locals.has(node.name)) {
    const initial = localInitialiser(fn, node.name);
    return initial ? ownBalance(initial, fn, analysis, depth + 1) : undefined;
  }
  if (node.type === 'TupleExpression' && node.components?.length === 1 && node.components[0])
    return ownBalance(node.components[0], fn, analysis, depth + 1);
  return undefined;
}
