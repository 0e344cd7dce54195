import {
  type Analysis,
  assignmentOperators,
  type CallSite,
  type CfgNode,
  type FunctionFacts,
  type FunctionIR,
  findAll,
  findStateVariable,
  findStruct,
  hasCheckedArithmetic,
  type Node,
  type StateVariable,
  walk,
} from '@bulwark/solidity';
import type { Access, CallContext } from './callClasses.ts';
import { levels } from './callContexts.ts';
import { isGuarded } from './guards.ts';
import { entryPoints } from './reenterable.ts';
import { statePath } from './valueOrigins.ts';

/**
 * A state access at the granularity of a path (`balances[]`, `proposals[].executed`): the
 * variable, the access expression and the statement holding it.
 */
export type PathAccess = {
  variable: StateVariable;
  path: string;
  node: Node;
  statement: CfgNode | undefined;
  read: boolean;
  write: boolean;
  /** Read inside a condition (require, if, loop test, ternary), directly or through a local. */
  checked: boolean;
};
const pathCache = new WeakMap<FunctionIR, PathAccess[]>();
/** Members that read a property of the value, not a part of the state path. */
const addressMembers = new Set([
  'length',
  'balance',
  'code',
  'codehash',
  'call',
  'delegatecall',
  'staticcall',
  'callcode',
  'send',
  'transfer',
  'value',
  'gas',
  'selector',
]);
function isStruct(analysis: Analysis, fn: FunctionIR, expression: Node): boolean {
  const type = analysis.typeOf(expression, fn);
  return type.kind === 'user' && findStruct(fn.contract, type.name, analysis.program) !== undefined;
}
/** State accesses of one function by path; a storage pointer's declaration is not an access. */
export function pathAccesses(analysis: Analysis, fn: FunctionIR): PathAccess[] {
  const cached = pathCache.get(fn);
  if (cached) return cached;
  const out: PathAccess[] = [];
  pathCache.set(fn, out);
  if (!fn.body) return out;
  const facts = analysis.facts(fn);
  const conditions = new Set(facts.conditions);
  const tested = new Set(facts.conditions.flatMap((c) => findAll(c, 'Identifier').map((id) => id.name)));
  // Read inside a condition, or into a local that a condition tests (`uint b = x[a]; if (b < v) revert();`).
  const inCondition = (node: Node) => {
    for (let current: Node | undefined = node; current; current = facts.parents.get(current)) {
      if (conditions.has(current)) return true;
      if (current.type === 'VariableDeclarationStatement')
        return (current.variables ?? []).some((v: Node | null) => v && facts.locals.has(v.name) && tested.has(v.name));
      if (current.type === 'BinaryOperation' && current.operator === '=' && current.left?.type === 'Identifier')
        return facts.locals.has(current.left.name) && tested.has(current.left.name);
    }
    return false;
  };
  walk(fn.body, (node, parent) => {
    if (node.type !== 'Identifier' && node.type !== 'MemberAccess' && node.type !== 'IndexAccess') return undefined;
    if (parent?.type === 'VariableDeclaration') return undefined;
    // Only whole access chains: `a.b[c]`, not its parts (index expressions are walked on their own).
    if (parent?.type === 'MemberAccess' && parent.expression === node) return undefined;
    if (parent?.type === 'IndexAccess' && parent.base === node) return undefined;
    let access = node;
    let role = parent;
    const child = node;
    if (parent?.type === 'FunctionCall' && parent.expression === node && node.type === 'MemberAccess') {
      // `x.f(...)`: the access is `x` (a call on it, or push/pop changing it).
      access = node.expression;
      if (node.memberName === 'push' || node.memberName === 'pop') role = { type: 'push' };
      else role = undefined;
    }
    // A struct field named `balance`, `value` or `length` is part of the path.
    while (
      access.type === 'MemberAccess' &&
      addressMembers.has(access.memberName) &&
      !isStruct(analysis, fn, access.expression)
    )
      access = access.expression;
    const path = statePath(analysis, access, fn);
    if (path === undefined) return undefined;
    let read = true;
    let write = false;
    if (role?.type === 'push') write = true;
    else if (role?.type === 'BinaryOperation' && role.left === child && assignmentOperators.has(role.operator)) {
      write = true;
      read = role.operator !== '=';
    } else if (role?.type === 'UnaryOperation' && ['++', '--', 'delete'].includes(role.operator)) {
      write = true;
      read = role.operator !== 'delete';
    } else if (role?.type === 'TupleExpression') {
      const assignment = facts.parents.get(role);
      if (assignment?.type === 'BinaryOperation' && assignment.left === role && assignment.operator === '=') {
        write = true;
        read = false;
      }
    } else if (role?.type === 'VariableDeclarationStatement') {
      // `storage` written out, or a 0.4 `var`/location-less local marked a storage pointer by the IR.
      const local = role.variables?.[0];
      if (role.variables?.length === 1 && local && facts.locals.get(local.name)?.storageLocation === 'storage')
        return undefined;
    } else if (role?.type === 'BinaryOperation' && role.operator === '=' && role.right === child) {
      // `p = a[i]` re-points a storage pointer: not an access.
      const target = role.left?.type === 'Identifier' ? facts.locals.get(role.left.name) : undefined;
      if (target?.storageLocation === 'storage') return undefined;
    }
    const variable = findStateVariable(fn.contract, path.split(/[.[]/)[0]);
    if (!variable) return undefined;
    const statement = analysis.statementOf(node, facts);
    out.push({ variable, path, node: access, statement, read, write, checked: read && inCondition(node) });
    return undefined;
  });
  return out;
}
const summaryCache = new WeakMap<FunctionIR, PathAccess[]>();
const summaryInProgress = new WeakSet<FunctionIR>();
/** Path accesses of `fn` and everything it calls internally (modifiers included). */
export function accessSummary(analysis: Analysis, fn: FunctionIR): PathAccess[] {
  const cached = summaryCache.get(fn);
  if (cached) return cached;
  // A recursive call sees the function's own accesses: its callees are being collected by the
  // outer call already. (Handing out the array being filled made `f` iterate over itself forever.)
  if (summaryInProgress.has(fn)) return pathAccesses(analysis, fn);
  summaryInProgress.add(fn);
  // Each access once (once checked, once not): a callee reached from many call sites, or through
  // a cycle, must not multiply the summary (it grew as call sites to the power of call depth).
  const out: PathAccess[] = [];
  const seen = { checked: new Set<Node>(), unchecked: new Set<Node>() };
  const add = (access: PathAccess) => {
    const set = access.checked ? seen.checked : seen.unchecked;
    if (set.has(access.node)) return;
    set.add(access.node);
    out.push(access);
  };
  for (const access of pathAccesses(analysis, fn)) add(access);
  for (const call of analysis.facts(fn).calls) {
    if (call.kind !== 'internal' && call.kind !== 'library') continue;
    // What a callee reads to compute a value the caller tests is checked too.
    const tested = call.returnUse === 'checked';
    for (const target of call.targets)
      for (const access of accessSummary(analysis, target))
        add(tested && access.read && !access.checked ? { ...access, checked: true } : access);
  }
  for (const use of fn.modifiers)
    if (use.definition) for (const access of accessSummary(analysis, use.definition)) add(access);
  summaryInProgress.delete(fn);
  summaryCache.set(fn, out);
  return out;
}
/** A state access placed in the function that performs it (or the call that leads to it). */
function placed(access: PathAccess, node: Node, fn: FunctionIR, tested = false): Access {
  return { variable: access.variable, path: access.path, node, fn, checked: access.checked || tested };
}
function start(node: Node): number {
  return node.range?.[0] ?? 0;
}
function end(node: Node): number {
  return node.range?.[1] ?? 0;
}
function encloses(outer: Node, inner: Node): boolean {
  return start(outer) <= start(inner) && end(inner) <= end(outer);
}
/** CFG nodes from which `node` can be reached (loops included). */
export function reaching(node: CfgNode): Set<CfgNode> {
  const seen = new Set<CfgNode>();
  const queue = [...node.predecessors];
  while (queue.length > 0) {
    const current = queue.pop()!;
    if (seen.has(current)) continue;
    seen.add(current);
    queue.push(...current.predecessors);
  }
  return seen;
}
type Side = 'before' | 'after';
/** Whether something at `node` (in `statement`) runs on the given side of `site`. */
function onSide(
  side: Side,
  node: Node,
  statement: CfgNode | undefined,
  site: CallSite,
  around: Set<CfgNode>,
  facts: FunctionFacts,
): boolean {
  if (!statement) return false;
  if (statement === site.statement) {
    // Within one statement: operands run before the operation; an assignment completes after its right side.
    const completesAfter = assignmentHolding(site.node, node, facts);
    if (side === 'before')
      return !completesAfter && (end(node) <= start(site.node) || (encloses(site.node, node) && node !== site.node));
    return start(node) >= end(site.node) || completesAfter;
  }
  return around.has(statement);
}
/** Whether `access` is the target of an assignment whose value contains `call`. */
function assignmentHolding(call: Node, access: Node, facts: FunctionFacts): boolean {
  let current = facts.parents.get(access);
  let child = access;
  while (
    current &&
    (current.type === 'TupleExpression' || current.type === 'IndexAccess' || current.type === 'MemberAccess')
  ) {
    child = current;
    current = facts.parents.get(current);
  }
  return current?.type === 'BinaryOperation' && current.left === child && encloses(current.right, call);
}
/** Accesses of one kind in `fn` on one side of `site`, callees and modifiers included. */
function localAccesses(
  analysis: Analysis,
  fn: FunctionIR,
  site: CallSite,
  side: Side,
  kind: 'read' | 'write',
): Access[] {
  const facts = analysis.facts(fn);
  const out: Access[] = [];
  if (!site.statement) return out;
  const around = side === 'after' ? analysis.after(site.statement) : reaching(site.statement);
  for (const access of pathAccesses(analysis, fn)) {
    if (access[kind] && onSide(side, access.node, access.statement, site, around, facts))
      out.push(placed(access, access.node, fn));
  }
  for (const other of facts.calls) {
    if (other === site || (other.kind !== 'internal' && other.kind !== 'library')) continue;
    if (!onSide(side, other.node, other.statement, site, around, facts)) continue;
    // Whatever a callee reads to compute a value the caller tests is checked too.
    const tested = other.returnUse === 'checked';
    for (const target of other.targets)
      for (const access of accessSummary(analysis, target))
        if (access[kind]) out.push(placed(access, other.node, fn, tested));
  }
  // Modifier code before `_` runs before the body, code after it runs after.
  for (const use of fn.modifiers) {
    const definition = use.definition;
    if (!definition?.body) continue;
    const modifierFacts = analysis.facts(definition);
    const placeholder = modifierFacts.cfg.nodes.find((n) => n.kind === 'placeholder');
    if (!placeholder) continue;
    const region = side === 'after' ? analysis.after(placeholder) : reaching(placeholder);
    for (const access of pathAccesses(analysis, definition)) {
      if (access[kind] && access.statement && region.has(access.statement))
        out.push(placed(access, access.node, definition));
    }
    for (const call of modifierFacts.calls) {
      if (call.kind !== 'internal' && call.kind !== 'library') continue;
      if (!call.statement || !region.has(call.statement)) continue;
      for (const target of call.targets)
        for (const access of accessSummary(analysis, target))
          if (access[kind]) out.push(placed(access, call.node, definition));
    }
  }
  return out;
}
/** State written after the call returns, in the call's function and in every caller up to the entry point. */
export function writesAfter(analysis: Analysis, context: CallContext): Access[] {
  return levels(context).flatMap(({ fn, site }) => localAccesses(analysis, fn, site, 'after', 'write'));
}
/** State read before (or while setting up) the call, along the whole path from the entry point. */
export function readsBefore(analysis: Analysis, context: CallContext): Access[] {
  return levels(context).flatMap(({ fn, site }) => localAccesses(analysis, fn, site, 'before', 'read'));
}
/** State written before the call, along the whole path from the entry point. */
export function writesBefore(analysis: Analysis, context: CallContext): Access[] {
  return levels(context).flatMap(({ fn, site }) => localAccesses(analysis, fn, site, 'before', 'write'));
}
/** Whether two paths can name the same storage: equal, or one inside the other. */
export function pathsOverlap(a: string, b: string): boolean {
  if (a === b) return true;
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  return long.startsWith(short) && (long[short.length] === '.' || long[short.length] === '[');
}
/** State read after the call returns, along the whole path from the entry point. */
export function readsAfter(analysis: Analysis, context: CallContext): Access[] {
  return levels(context).flatMap(({ fn, site }) => localAccesses(analysis, fn, site, 'after', 'read'));
}
/**
 * Writes after the call to state that was read before it: what a re-entrant call sees stale.
 * State the function checks again after the call is left out: a re-entrant change makes the
 * outer call revert (OpenZeppelin's TimelockController re-checks the operation this way).
 */
export function staleWrites(analysis: Analysis, context: CallContext): Access[] {
  const read = readsBefore(analysis, context);
  const rechecked = readsAfter(analysis, context).filter((r) => r.checked);
  const writes = writesAfter(analysis, context);
  // With checked arithmetic (0.8+), `x -= a` after the call reverts once re-entrant calls have
  // already spent x: the payouts can never add up to more than x.
  const guardedDecrements = writes.filter((w) => isCheckedDecrement(analysis, w));
  return writes.filter(
    (w) =>
      read.some((r) => pathsOverlap(r.path, w.path)) &&
      !rechecked.some((r) => pathsOverlap(r.path, w.path)) &&
      !guardedDecrements.some((d) => d.path === w.path),
  );
}
/** `x -= a` or `x = x - a` outside an unchecked block, in a unit compiled with checked arithmetic. */
function isCheckedDecrement(analysis: Analysis, write: Access): boolean {
  const unit = write.fn.contract.unit;
  if (!hasCheckedArithmetic(unit)) return false;
  const facts = analysis.facts(write.fn);
  const assignment = facts.parents.get(write.node);
  if (assignment?.type !== 'BinaryOperation' || assignment.left !== write.node) return false;
  if (analysis.ancestors(assignment, facts).some((a) => a.type === 'UncheckedStatement')) return false;
  if (assignment.operator === '-=') return true;
  const value = assignment.right;
  const text = (node: Node) => unit.source.textOf(node).replace(/\s+/g, '');
  return (
    assignment.operator === '=' &&
    value?.type === 'BinaryOperation' &&
    value.operator === '-' &&
    text(value.left) === text(write.node)
  );
}
/** Entry points without a reentrancy guard. */
export function unguardedEntryPoints(analysis: Analysis, functions: FunctionIR[]): FunctionIR[] {
  return entryPoints(analysis, functions).filter((fn) => !analysis.hasReentrancyGuard(fn));
}
/**
 * Entry points a callee could re-enter: no reentrancy guard, and open to any caller (to re-enter a
 * function restricted to an owner, the callee would have to be the owner).
 */
export function reenterableEntryPoints(analysis: Analysis, functions: FunctionIR[]): FunctionIR[] {
  return unguardedEntryPoints(analysis, functions).filter((fn) => !isGuarded(analysis, fn));
}
