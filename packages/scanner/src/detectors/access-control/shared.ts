import {
  type Analysis,
  type FunctionIR,
  findAll,
  findStateVariable,
  type Node,
  type TaintSource,
  walk,
} from '@bulwark/solidity';
import { assemblyCalls } from '../../analysis/assembly.ts';
import type { Frame } from '../../analysis/frames.ts';
import { sourceText } from '../../analysis/sourceText.ts';
import { rootStateVariable } from '../../analysis/storage.ts';

/** A function an outside account can call directly: public/external, with a body, in a contract. */
export function isExternallyCallable(fn: FunctionIR): boolean {
  if (fn.kind === 'modifier' || fn.kind === 'constructor' || !fn.body) return false;
  if (fn.contract.kind === 'interface' || fn.contract.kind === 'library' || fn.contract.name === '<file>') return false;
  return fn.visibility === 'public' || fn.visibility === 'external';
}

/** A state-changing entry point (views cannot send ether or write storage). */
export function isStateChangingEntry(fn: FunctionIR): boolean {
  return isExternallyCallable(fn) && fn.mutability !== 'view' && fn.mutability !== 'pure';
}

/** Sources the caller of an entry point controls directly. */
export function isCallerControlled(source: TaintSource): boolean {
  return (
    source === 'msg.sender' ||
    source === 'tx.origin' ||
    source === 'msg.data' ||
    source === 'user-input' ||
    source.startsWith('param:')
  );
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
  walk(expression, (n) => {
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
    if (n.type === 'BinaryOperation' && ['=', '+=', '-=', '*=', '/=', '|=', '&='].includes(n.operator)) {
      if (n.left?.type === 'TupleExpression') for (const c of n.left.components ?? []) c && out.push(c);
      else out.push(n.left);
    } else if (n.type === 'UnaryOperation' && ['++', '--', 'delete'].includes(n.operator)) out.push(n.subExpression);
    return undefined;
  });
  return out;
}

/**
 * A once-only guard on the way: a condition reads a storage place that the same call path then
 * writes (`require(!initialized); initialized = true`, `require(threshold == 0)` ... `threshold = t`).
 * A lock released after the body (`nonReentrant`) is not one. Returns the guarding key.
 */
export function oneTimeGuard(analysis: Analysis, frames: Frame[]): string | undefined {
  const read = new Set<string>();
  const written = new Set<string>();
  const released = new Set<string>();
  for (const frame of frames) {
    for (const condition of analysis.facts(frame.fn).conditions)
      for (const key of storageKeysRead(analysis, frame.fn, condition)) read.add(key);
    for (const target of writeTargets(frame.fn)) {
      const key = storageKey(analysis, frame.fn, target);
      if (key) written.add(key);
    }
    for (const store of assemblyCalls(frame.fn, new Set(['sstore'])))
      written.add(slotKey(frame.fn, store.arguments?.[0]));
    if (frame.fn.kind === 'modifier') for (const key of releasedAfterBody(analysis, frame.fn)) released.add(key);
  }
  for (const key of read) if (written.has(key) && !released.has(key)) return key;
  return undefined;
}

/**
 * Keys a lock-style modifier sets before its `_` and resets after it (`nonReentrant`), directly or
 * in functions it calls. A key written only after `_` (`_; initialized = true;`) still guards once.
 */
function releasedAfterBody(analysis: Analysis, modifier: FunctionIR): Set<string> {
  const before = new Set<string>();
  const after = new Set<string>();
  const facts = analysis.facts(modifier);
  const placeholder = facts.cfg.nodes.find((n) => n.kind === 'placeholder');
  if (!placeholder) return after;
  const later = analysis.after(placeholder);
  const add = (into: Set<string>, fn: FunctionIR, targets: Node[]) => {
    for (const target of targets) {
      const key = storageKey(analysis, fn, target);
      if (key) into.add(key);
    }
  };
  for (const node of facts.cfg.nodes) {
    if (!node.ast || node.kind === 'loop' || node.kind === 'condition' || node === placeholder) continue;
    add(later.has(node) ? after : before, modifier, writeTargetsIn(node.ast));
  }
  for (const call of facts.calls) {
    if (call.kind !== 'internal' || !call.statement) continue;
    for (const target of call.targets)
      for (const f of analysis.reachable(target)) add(later.has(call.statement) ? after : before, f, writeTargets(f));
  }
  return new Set([...after].filter((key) => before.has(key)));
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

function writeTargetsIn(node: Node): Node[] {
  const out: Node[] = [];
  walk(node, (n) => {
    if (n.type === 'BinaryOperation' && n.operator === '=') out.push(n.left);
    else if (n.type === 'UnaryOperation' && ['++', '--', 'delete'].includes(n.operator)) out.push(n.subExpression);
    return undefined;
  });
  return out;
}

/** Caller-controlled sources in words: `parameter to`, `msg.sender`, `a state variable anyone can set`. */
export function describeSources(sources: Iterable<TaintSource>): string {
  const names = [...sources].map((s) =>
    s.startsWith('param:') ? `parameter ${s.slice(6)}` : s === 'user-input' ? 'a state variable anyone can set' : s,
  );
  return [...new Set(names)].join(' / ');
}

/**
 * The value is an entry of a state mapping or array (`listings[id].seller`, `payees[i]`, or a
 * local pointing at one): the caller may choose the key, but not what was stored under it. Taint
 * through the key says nothing about who controls the value.
 */
export function readsStoredEntry(analysis: Analysis, fn: FunctionIR, expression: Node | undefined, depth = 0): boolean {
  if (!expression || depth > 3) return false;
  let current: Node = expression;
  // Conversions: `payable(x)`, `address(x)`, `IERC20(x)`.
  while (current.type === 'FunctionCall' && current.arguments?.length === 1) {
    const site = analysis.facts(fn).calls.find((c) => c.node === current);
    const conversion =
      site?.kind === 'type-conversion' ||
      (current.expression?.type === 'Identifier' && current.expression.name === 'payable');
    if (!conversion) break;
    current = current.arguments[0];
  }
  let indexed = false;
  while (current.type === 'MemberAccess' || current.type === 'IndexAccess') {
    if (current.type === 'IndexAccess') indexed = true;
    current = current.type === 'IndexAccess' ? current.base : current.expression;
  }
  if (current.type !== 'Identifier') return false;
  const facts = analysis.facts(fn);
  const local = facts.locals.get(current.name);
  if (!local) return indexed && Boolean(findStateVariable(fn.contract, current.name));
  if (fn.params.some((p) => p.name === current.name)) return false;
  // A local: follow its one initialiser (`Listing storage l = listings[id]`, `address s = l.seller`).
  const declaration = facts.parents.get(local.node);
  if (declaration?.type !== 'VariableDeclarationStatement' || !declaration.initialValue) return false;
  const reassigned = fn.body
    ? findAll(
        fn.body,
        (n) => n.type === 'BinaryOperation' && n.left?.type === 'Identifier' && n.left.name === current.name,
      )
    : [];
  if (reassigned.length > 0) return false;
  return readsStoredEntry(analysis, fn, declaration.initialValue, depth + 1);
}
