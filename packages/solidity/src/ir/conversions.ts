import type { Analysis } from './analysis.ts';
import type { Node } from './ast.ts';
import type { FunctionIR } from './program.ts';

/** Names that convert when called: `address(x)` and `uint8(x)` parse as a call of an identifier. */
export const elementaryTypeName = /^(address|payable|bool|string|byte|bytes\d*|u?int\d*|u?fixed[\dx]*)$/;

/** Where the IR can tell a contract or interface conversion (`IFoo(x)`) from a function call. */
export type ConversionContext = { analysis: Analysis; fn: FunctionIR };

/**
 * The value a one-argument type conversion keeps: `x` in `address(x)`, `payable(x)`, `uint160(x)`,
 * and, given the function it sits in, `IFoo(x)` (the IR's `type-conversion` call kind). Undefined
 * for anything else.
 */
export function convertedValue(node: Node, context?: ConversionContext): Node | undefined {
  if (node.type !== 'FunctionCall' || node.arguments?.length !== 1) return undefined;
  const callee = node.expression;
  if (callee?.type === 'ElementaryTypeName' || callee?.type === 'TypeNameExpression') return node.arguments[0];
  if (callee?.type === 'Identifier' && elementaryTypeName.test(callee.name)) return node.arguments[0];
  if (!context) return undefined;
  const site = context.analysis.facts(context.fn).calls.find((c) => c.node === node);
  return site?.kind === 'type-conversion' ? node.arguments[0] : undefined;
}

/** `node` with every conversion around it taken off: `payable(address(owner))` → `owner`. */
export function withoutConversions(node: Node, context?: ConversionContext): Node {
  let current = node;
  for (let next = convertedValue(current, context); next; next = convertedValue(current, context)) current = next;
  return current;
}
