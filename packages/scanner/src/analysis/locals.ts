import { assignedBases, assignmentOperators, type FunctionIR, findAll, type Node, walk } from '@bulwark/solidity';
import { fieldPath } from './expressions.ts';

const assignmentCache = new WeakMap<FunctionIR, Map<string, Node[]>>();
/** Every value assigned to each local of `fn` (initialisers and assignments), flow-insensitively. */
export function localAssignments(fn: FunctionIR): Map<string, Node[]> {
  const cached = assignmentCache.get(fn);
  if (cached) return cached;
  const out = new Map<string, Node[]>();
  assignmentCache.set(fn, out);
  if (!fn.body) return out;
  const add = (name: string, value: Node) => {
    const list = out.get(name) ?? [];
    list.push(value);
    out.set(name, list);
  };
  walk(fn.body, (node) => {
    if (node.type === 'VariableDeclarationStatement' && node.initialValue) {
      const variables = (node.variables ?? []).filter(Boolean);
      for (const variable of variables) add(variable.name, node.initialValue);
    } else if (node.type === 'BinaryOperation' && assignmentOperators.has(node.operator)) {
      // `vars.price = ...` is recorded under `vars.price`, so other fields of a struct stay apart.
      const field = fieldPath(node.left);
      if (field) add(field, node.right);
      else for (const base of assignedBases(node.left)) if (base.type === 'Identifier') add(base.name, node.right);
    }
    return undefined;
  });
  return out;
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

/** The initial value of the first declaration of a local declared alone (`address sender = _msgSender();`), reassigned or not. */
export function declaredInitialiser(fn: FunctionIR, name: string): Node | undefined {
  if (!fn.body) return undefined;
  for (const declaration of findAll(fn.body, 'VariableDeclarationStatement')) {
    const variables = (declaration.variables ?? []).filter(Boolean);
    if (variables.length === 1 && variables[0].name === name && declaration.initialValue)
      return declaration.initialValue;
  }
  return undefined;
}
