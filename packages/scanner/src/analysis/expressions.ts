import type { Node, SourceUnit } from '@bulwark/solidity';
import { walk } from '@bulwark/solidity';

/** Strips parentheses: `((a))` → `a`. */
export function unparen(node: Node): Node {
  let current = node;
  while (current?.type === 'TupleExpression' && !current.isArray && current.components?.length === 1) {
    current = current.components[0];
  }
  return current;
}
/** Source text of an expression without spaces and outer parentheses, to compare two expressions. */
export function expressionKey(node: Node, unit: SourceUnit): string {
  return unit.source.textOf(unparen(node)).replace(/\s+/g, '');
}
export const comparisonOperators = new Set(['<', '>', '<=', '>=', '==', '!=']);

/** `a.b` for a member of a local struct (`a.b.c` → `a.b`); undefined otherwise. */
export function fieldPath(node: Node): string | undefined {
  let current = node;
  while (current.type === 'MemberAccess' && current.expression?.type === 'MemberAccess') current = current.expression;
  if (current.type === 'MemberAccess' && current.expression?.type === 'Identifier')
    return `${current.expression.name}.${current.memberName}`;
  return undefined;
}

/** `address(this)` or `this`. */
export function isSelf(node: Node | undefined): boolean {
  let n = node;
  while (
    n?.type === 'FunctionCall' &&
    n.arguments?.length === 1 &&
    n.expression?.type === 'Identifier' &&
    /^(address|payable)$/.test(n.expression.name)
  )
    n = n.arguments[0];
  while (n?.type === 'FunctionCall' && n.arguments?.length === 1 && n.expression?.type === 'ElementaryTypeName')
    n = n.arguments[0];
  return n?.type === 'Identifier' && n.name === 'this';
}

/** `node` reads one of the named identifiers. */
export function mentions(node: Node, names: Set<string>): boolean {
  let found = false;
  walk(node, (n) => {
    if (found) return false;
    if (n.type === 'Identifier' && names.has(n.name)) found = true;
    return undefined;
  });
  return found;
}
