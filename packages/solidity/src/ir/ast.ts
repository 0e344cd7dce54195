/**
 * The parse tree from @solidity-parser/parser, typed loosely: detectors read it through the IR's
 * helpers, and its node shapes differ slightly across Solidity versions.
 */
// biome-ignore lint/suspicious/noExplicitAny: node fields vary by node type
export type Node = { type: string; range?: [number, number]; loc?: unknown; [field: string]: any };

export function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof (value as Node).type === 'string';
}

/** Child nodes in source order. */
export function childrenOf(node: Node): Node[] {
  const out: Node[] = [];
  for (const key in node) {
    if (key === 'loc' || key === 'range' || key === 'comments') continue;
    const value = node[key];
    if (Array.isArray(value)) {
      for (const item of value) if (isNode(item)) out.push(item);
    } else if (isNode(value)) {
      out.push(value);
    }
  }
  return out;
}

/**
 * Depth-first pre-order walk. Return false from `visit` to skip a node's children.
 * Passes the parent so callers can build context without a second pass.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: visitors that return nothing are the common case
export function walk(node: Node, visit: (node: Node, parent: Node | undefined) => boolean | undefined | void): void {
  const stack: [Node, Node | undefined][] = [[node, undefined]];
  while (stack.length > 0) {
    const [current, parent] = stack.pop()!;
    if (visit(current, parent) === false) continue;
    const children = childrenOf(current);
    for (let i = children.length - 1; i >= 0; i--) stack.push([children[i], current]);
  }
}

/** All nodes of a type below (and including) `node`. */
export function findAll(node: Node, type: string | ((node: Node) => boolean)): Node[] {
  const matches = typeof type === 'string' ? (n: Node) => n.type === type : type;
  const out: Node[] = [];
  walk(node, (n) => {
    if (matches(n)) out.push(n);
  });
  return out;
}

/** `msg.sender`, `block.timestamp`, ... as a dotted string; undefined for anything else. */
export function dottedName(node: Node | undefined | null): string | undefined {
  if (!node) return undefined;
  if (node.type === 'Identifier') return node.name;
  if (node.type === 'MemberAccess') {
    const base = dottedName(node.expression);
    return base === undefined ? undefined : `${base}.${node.memberName}`;
  }
  return undefined;
}

/** Strips `NameValueExpression` (`f{value: x}`) and `.value(x)` / `.gas(x)` wrappers from a callee. */
export function unwrapCallee(callee: Node): { callee: Node; options: Record<string, Node> } {
  const options: Record<string, Node> = {};
  let current = callee;
  for (;;) {
    if (current.type === 'NameValueExpression') {
      const list = current.arguments;
      list?.names?.forEach((name: string, i: number) => {
        options[name] = list.arguments[i];
      });
      current = current.expression;
    } else if (
      current.type === 'FunctionCall' &&
      current.expression?.type === 'MemberAccess' &&
      (current.expression.memberName === 'value' || current.expression.memberName === 'gas') &&
      current.arguments.length === 1
    ) {
      options[current.expression.memberName] = current.arguments[0];
      current = current.expression.expression;
    } else {
      return { callee: current, options };
    }
  }
}

const operandFields = [
  'left',
  'right',
  'subExpression',
  'base',
  'index',
  'condition',
  'trueExpression',
  'falseExpression',
  'expression',
] as const;

/** The direct operands of an expression (tuple components excluded). */
export function operandsOf(node: Node): Node[] {
  const out: Node[] = [];
  for (const key of operandFields) {
    const child = node[key];
    if (isNode(child)) out.push(child);
  }
  return out;
}
