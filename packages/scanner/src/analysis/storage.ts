import {
  type Analysis,
  assignmentOperators,
  type FunctionIR,
  findAll,
  findStateVariable,
  type Node,
  type StateVariable,
  walk,
} from '@bulwark/solidity';
import { assemblyCalls } from './assembly.ts';
import { sourceText } from './sourceText.ts';

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

/** Index expressions of state accesses below `node` (`balances[k]`, `users[k].amount`, `a[x][y]`). */
export function stateIndexes(fn: FunctionIR, node: Node, analysis: Analysis, depth = 0): Node[] {
  const out: Node[] = [];
  const facts = analysis.facts(fn);
  walk(node, (n) => {
    if (n.type === 'IndexAccess' && n.index && rootStateVariable(fn, n, analysis)) out.push(n.index);
    // A local storage pointer (`User storage u = users[msg.sender]`) stands for its initialiser.
    if (n.type === 'Identifier' && depth < 2) {
      const local = facts.locals.get(n.name);
      if (local?.storageLocation === 'storage') {
        const declaration = facts.parents.get(local.node);
        if (declaration?.type === 'VariableDeclarationStatement' && declaration.initialValue)
          out.push(...stateIndexes(fn, declaration.initialValue, analysis, depth + 1));
      }
    }
  });
  return out;
}
/**
 * A storage place named independently of the function: `state:owner`, `state:config.admin`, or
 * `ptr:_getInitializableStorage._initialized` for fields behind a storage pointer a function returns.
 * Indexed places (`claimed[x]`) have no key: they guard per key, not once.
 */
export function storageKey(analysis: Analysis, fn: FunctionIR, node: Node, depth = 0): string | undefined {
  const members: string[] = [];
  let current: Node | undefined = node;
  while (current?.type === 'MemberAccess') {
    members.unshift(current.memberName);
    current = current.expression;
  }
  const suffix = members.length > 0 ? `.${members.join('.')}` : '';
  // `StorageSlot.getAddressSlot(SLOT).value`: a storage place named by the accessor and its slot.
  if (current?.type === 'FunctionCall' && members.length > 0) {
    const callee = current.expression;
    const name =
      callee?.type === 'Identifier' ? callee.name : callee?.type === 'MemberAccess' ? callee.memberName : '?';
    const args = (current.arguments ?? []).map((a: Node) => sourceText(fn, a)).join(',');
    return `ptr:${name}(${args})${suffix}`;
  }
  if (current?.type !== 'Identifier') return undefined;
  const facts = analysis.facts(fn);
  const local = facts.locals.get(current.name);
  if (local) {
    if (local.storageLocation !== 'storage' || depth > 2) return undefined;
    const declaration = facts.parents.get(local.node);
    const initial = declaration?.type === 'VariableDeclarationStatement' ? declaration.initialValue : undefined;
    if (!initial) return undefined;
    if (initial.type === 'FunctionCall') {
      const callee = initial.expression;
      const name =
        callee?.type === 'Identifier' ? callee.name : callee?.type === 'MemberAccess' ? callee.memberName : '?';
      return `ptr:${name}${suffix}`;
    }
    const base = storageKey(analysis, fn, initial, depth + 1);
    return base ? `${base}${suffix}` : undefined;
  }
  const variable = findStateVariable(fn.contract, current.name);
  return variable && !variable.constant && !variable.immutable ? `state:${variable.name}${suffix}` : undefined;
}
/** Storage keys an expression reads, following locals to their initialisers. */
export function storageKeysRead(analysis: Analysis, fn: FunctionIR, expression: Node, depth = 0): Set<string> {
  const out = new Set<string>();
  const facts = analysis.facts(fn);
  // What an index is applied to (`users` in `users[j].amount`) names no key: indexed places have none.
  const indexed = new Set<Node>();
  walk(expression, (n) => {
    if (n.type === 'IndexAccess' && n.base) indexed.add(n.base);
    if (indexed.has(n)) {
      if (n.type === 'MemberAccess') indexed.add(n.expression);
      return undefined;
    }
    if (n.type === 'MemberAccess' || n.type === 'Identifier') {
      const key = storageKey(analysis, fn, n);
      if (key) out.add(key);
      if (n.type === 'Identifier' && depth < 3) {
        const local = facts.locals.get(n.name);
        if (local && local.storageLocation !== 'storage') {
          const declaration = facts.parents.get(local.node);
          if (declaration?.type === 'VariableDeclarationStatement' && declaration.initialValue)
            for (const k of storageKeysRead(analysis, fn, declaration.initialValue, depth + 1)) out.add(k);
        }
      }
    }
    if (n.type === 'FunctionCall' && depth < 3) {
      // A getter: `initialized()` / `_getInitializedVersion()` returning a storage value.
      const site = facts.calls.find((c) => c.node === n);
      for (const target of site?.kind === 'internal' || site?.kind === 'library' ? site.targets : []) {
        if (!target.body) continue;
        for (const load of assemblyCalls(target, new Set(['sload']))) out.add(slotKey(target, load.arguments?.[0]));
        for (const statement of findAll(target.body, 'ReturnStatement'))
          if (statement.expression)
            for (const k of storageKeysRead(analysis, target, statement.expression, depth + 1)) out.add(k);
      }
    }
    return undefined;
  });
  return out;
}
/** Assignment-like targets in a function body: `x = `, `x += `, `x++`, `delete x`. */
export function writeTargets(fn: FunctionIR): Node[] {
  if (!fn.body) return [];
  const out: Node[] = [];
  walk(fn.body, (n) => {
    if (n.type === 'BinaryOperation' && assignmentOperators.has(n.operator)) {
      if (n.left?.type === 'TupleExpression') for (const c of n.left.components ?? []) c && out.push(c);
      else out.push(n.left);
    } else if (n.type === 'UnaryOperation' && ['++', '--', 'delete'].includes(n.operator)) out.push(n.subExpression);
    return undefined;
  });
  return out;
}
/**
 * A storage slot used in assembly, named by what it is computed from: `slot:IMPLEMENTATION_SLOT`
 * for `let slot := IMPLEMENTATION_SLOT ... sload(slot)`, `state:x` for `x.slot`.
 */
export function slotKey(fn: FunctionIR, argument: Node | undefined): string {
  if (!argument) return 'slot:?';
  if (argument.type === 'AssemblyMemberAccess' && argument.memberName?.name === 'slot') {
    const variable = findStateVariable(fn.contract, argument.expression?.name ?? '');
    if (variable) return `state:${variable.name}`;
  }
  if (argument.type === 'AssemblyCall' && (argument.arguments ?? []).length === 0) {
    const name = argument.functionName;
    // Solidity locals (`bytes32 slot = X;`) and assembly locals (`let slot := X`) stand for their value.
    if (fn.body) {
      for (const declaration of findAll(fn.body, 'VariableDeclarationStatement')) {
        const variables = declaration.variables ?? [];
        if (variables.length === 1 && variables[0]?.name === name && declaration.initialValue)
          return `slot:${sourceText(fn, declaration.initialValue)}`;
      }
      for (const local of findAll(fn.body, 'AssemblyLocalDefinition')) {
        if ((local.names ?? []).some((n: Node) => n.name === name) && local.expression)
          return slotKey(fn, local.expression);
      }
    }
    return `slot:${name}`;
  }
  return `slot:${sourceText(fn, argument)}`;
}
export function writeTargetsIn(node: Node): Node[] {
  const out: Node[] = [];
  walk(node, (n) => {
    if (n.type === 'BinaryOperation' && n.operator === '=') out.push(n.left);
    else if (n.type === 'UnaryOperation' && ['++', '--', 'delete'].includes(n.operator)) out.push(n.subExpression);
    return undefined;
  });
  return out;
}
