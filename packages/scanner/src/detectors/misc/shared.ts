import { type Analysis, type Contract, type FunctionIR, findAll, type Node, type SourceUnit } from '@bulwark/solidity';

/** Files holding the scanned contracts and free functions. */
export function scannedUnits(contracts: Contract[], functions: FunctionIR[]): SourceUnit[] {
  const units = new Set<SourceUnit>();
  for (const c of contracts) units.add(c.unit);
  for (const fn of functions) units.add(fn.contract.unit);
  return [...units];
}

/** The initialiser of a local declared once (`uint b = address(this).balance;`). */
export function localInitialiser(fn: FunctionIR, name: string): Node | undefined {
  if (!fn.body) return undefined;
  let found: Node | undefined;
  for (const declaration of findAll(fn.body, 'VariableDeclarationStatement')) {
    const variables = (declaration.variables ?? []).filter(Boolean);
    if (variables.length === 1 && variables[0].name === name && declaration.initialValue)
      found = declaration.initialValue;
  }
  // A local reassigned later is not a fixed alias of its initialiser.
  const reassigned = findAll(
    fn.body,
    (n) =>
      n.type === 'BinaryOperation' &&
      ['=', '+=', '-='].includes(n.operator) &&
      n.left?.type === 'Identifier' &&
      n.left.name === name,
  );
  return reassigned.length > 0 ? undefined : found;
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
