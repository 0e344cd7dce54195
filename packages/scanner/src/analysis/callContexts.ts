import {
  type Analysis,
  admitsCompilerBelow,
  allFunctions,
  assignmentOperators,
  type CallSite,
  type CfgNode,
  type Contract,
  dottedName,
  type FunctionFacts,
  type FunctionIR,
  findAll,
  findStateVariable,
  hasCheckedArithmetic,
  type Node,
  qualifiedName,
  type StateVariable,
  unwrapCallee,
  walk,
} from '@bulwark/solidity';
import { isLiteralZero } from './constants.ts';
import { isGuarded } from './guards.ts';

/** A state access placed in the function that performs it (or the call that leads to it). */
export type Access = { variable: StateVariable; path: string; node: Node; fn: FunctionIR; checked: boolean };
/** One internal call on the way from an entry point to a call: the site and the function holding it. */
export type ChainLink = { site: CallSite; fn: FunctionIR };
/** A call as reached from one entry point, through internal and library calls. */
export type CallContext = {
  entry: FunctionIR;
  /** Function holding the call. */
  fn: FunctionIR;
  call: CallSite;
  /** Internal call sites from `entry` down to `fn`, outermost first. */
  chain: ChainLink[];
  /** How much control the call hands over. */
  kind: CallClass;
};
const maxDepth = 5;
/** Paths along which one callee is entered from one entry point (see `callContexts`). */
const maxPathsPerCallee = 8;
/** Calls that leave the contract. */
const outgoingKinds = new Set([
  'low-level-call',
  'external',
  'send',
  'transfer',
  'delegatecall',
  'staticcall',
  'callcode',
]);

// ---------------------------------------------------------------- call classes
/** How much control a call hands to the callee. */
export type CallClass =
  /** Sends ether and forwards enough gas to re-enter. */
  | 'eth'
  /** send/transfer (or a call with a 2300 gas stipend): re-entry only if gas costs drop. */
  | 'stipend'
  /** Calls another contract's code without ether. */
  | 'external'
  /** No control transfer worth considering (internal, builtin, staticcall, library, this). */
  | 'none';
const stipendGas = 2300;
export function classifyCall(analysis: Analysis, fn: FunctionIR, call: CallSite): CallClass {
  if (call.kind === 'send' || call.kind === 'transfer') return 'stipend';
  if (call.kind !== 'low-level-call' && call.kind !== 'external') return 'none';
  if (call.kind === 'external' && dottedName(call.receiver) === 'this') return 'none';
  // A view or pure function (or a public variable's getter) is called with STATICCALL from 0.5
  // on: the callee cannot change state. Code that 0.4 may compile makes a plain CALL.
  if (
    call.kind === 'external' &&
    !call.value &&
    callsView(analysis, fn, call) &&
    !admitsCompilerBelow(fn.contract.unit, [0, 5, 0])
  )
    return 'none';
  const { options } = unwrapCallee(call.node.expression);
  const gas = options.gas;
  const limitedGas = gas?.type === 'NumberLiteral' && Number(gas.number) <= stipendGas;
  if (call.value && !isLiteralZero(call.value)) return limitedGas ? 'stipend' : 'eth';
  return limitedGas ? 'none' : 'external';
}
function callsView(analysis: Analysis, fn: FunctionIR, call: CallSite): boolean {
  if (call.targets.some((t) => t.mutability === 'view' || t.mutability === 'pure')) return true;
  if (call.targets.length > 0) return false;
  const type = analysis.typeOf(call.receiver, fn);
  const target = type.kind === 'user' ? analysis.program.contract(type.name, fn.contract.unit) : undefined;
  const getter = target ? findStateVariable(target, call.name) : undefined;
  return getter?.visibility === 'public';
}

// ---------------------------------------------------------------- contexts
const contextCache = new WeakMap<FunctionIR, CallContext[]>();
/** Every call reachable from `entry` (its body and internal/library callees), with the path to it. */
export function callContexts(analysis: Analysis, entry: FunctionIR): CallContext[] {
  const cached = contextCache.get(entry);
  if (cached) return cached;
  const out: CallContext[] = [];
  // Paths through internal calls multiply (call sites to the power of the depth): each callee is
  // entered along a few paths per entry point, which finds its calls without enumerating them all.
  const visits = new Map<FunctionIR, number>();
  const visit = (fn: FunctionIR, chain: ChainLink[]) => {
    for (const call of analysis.facts(fn).calls) {
      if (call.kind === 'internal' || call.kind === 'library') {
        if (chain.length >= maxDepth) continue;
        for (const target of call.targets) {
          if (!target.body || target === entry || chain.some((link) => link.fn === target)) continue;
          const seen = visits.get(target) ?? 0;
          if (seen >= maxPathsPerCallee) continue;
          visits.set(target, seen + 1);
          visit(target, [...chain, { site: call, fn }]);
        }
        continue;
      }
      if (!outgoingKinds.has(call.kind)) continue;
      out.push({ entry, fn, call, chain, kind: classifyCall(analysis, fn, call) });
    }
  };
  visit(entry, []);
  contextCache.set(entry, out);
  return out;
}
/** The (function, call site) pairs of a context, innermost first: the call itself, then each caller. */
function levels(context: CallContext): { fn: FunctionIR; site: CallSite }[] {
  const out = [{ fn: context.fn, site: context.call }];
  for (let i = context.chain.length - 1; i >= 0; i--) out.push(context.chain[i]);
  return out;
}

// ---------------------------------------------------------------- reads and writes around a call
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
    while (access.type === 'MemberAccess' && addressMembers.has(access.memberName)) access = access.expression;
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
      const local = role.variables?.[0];
      if (role.variables?.length === 1 && local?.storageLocation === 'storage') return undefined;
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

// ---------------------------------------------------------------- where values come from
/**
 * Where a value comes from, by value (an index selects, it does not supply the value):
 * `msg.sender`, `tx.origin`, `signer` (from ecrecover), `param:<name>`, `state:<path>` (e.g.
 * `state:bids[].bidder`), `external-call`, `this`, `literal`, `new`, `unknown`.
 */
export function valueOrigins(
  analysis: Analysis,
  expression: Node | null | undefined,
  fn: FunctionIR,
  depth = 0,
): Set<string> {
  const out = new Set<string>();
  if (!expression || depth > 6) {
    out.add('unknown');
    return out;
  }
  const facts = analysis.facts(fn);
  const add = (set: Set<string>) => {
    for (const item of set) out.add(item);
  };
  switch (expression.type) {
    case 'Identifier': {
      const name = expression.name;
      if (name === 'this') out.add('this');
      else if (name === 'now') out.add('block.timestamp');
      else if (facts.locals.has(name)) {
        if (fn.params.some((p) => p.name === name)) out.add(`param:${name}`);
        else {
          const local = facts.locals.get(name)!;
          if (local.storageLocation === 'storage') {
            const path = statePath(analysis, expression, fn);
            out.add(path ? `state:${path}` : 'unknown');
          } else {
            const values = assignedValues(fn, name);
            if (values.length === 0) out.add(fn.returns.some((r) => r.name === name) ? 'unknown' : 'literal');
            for (const value of values) add(valueOrigins(analysis, value, fn, depth + 1));
          }
        }
      } else {
        const state = findStateVariable(fn.contract, name);
        if (state) out.add(state.constant ? 'literal' : `state:${name}`);
        else out.add('unknown');
      }
      return out;
    }
    case 'MemberAccess':
    case 'IndexAccess': {
      const dotted = dottedName(expression);
      if (dotted === 'msg.sender' || dotted === 'tx.origin' || dotted === 'block.coinbase') {
        out.add(dotted);
        return out;
      }
      const path = statePath(analysis, expression, fn);
      if (path) out.add(`state:${path}`);
      else
        add(
          valueOrigins(
            analysis,
            expression.type === 'IndexAccess' ? expression.base : expression.expression,
            fn,
            depth + 1,
          ),
        );
      return out;
    }
    case 'FunctionCall': {
      const site = facts.calls.find((c) => c.node === expression);
      const { callee } = unwrapCallee(expression.expression);
      if (site?.kind === 'type-conversion' || (callee.type === 'Identifier' && callee.name === 'payable')) {
        add(valueOrigins(analysis, expression.arguments?.[0], fn, depth + 1));
      } else if (site?.kind === 'struct') {
        for (const argument of expression.arguments ?? []) add(valueOrigins(analysis, argument, fn, depth + 1));
      } else if (site?.kind === 'new') out.add('new');
      else if (site && ['external', 'low-level-call', 'staticcall', 'delegatecall'].includes(site.kind))
        out.add('external-call');
      else if (site?.kind === 'builtin' && site.name === 'ecrecover') out.add('signer');
      else if (site?.kind === 'internal' && site.targets[0]?.body) {
        // What the callee returns, with its parameters replaced by the arguments passed here.
        const target = site.targets[0];
        const returns = findAll(target.body!, 'ReturnStatement').filter((r) => r.expression);
        if (returns.length === 0) out.add('unknown');
        for (const statement of returns) {
          for (const origin of valueOrigins(analysis, statement.expression, target, depth + 1)) {
            if (!origin.startsWith('param:')) out.add(origin);
            else {
              const index = target.params.findIndex((p) => p.name === origin.slice(6));
              add(valueOrigins(analysis, site.arguments[index], fn, depth + 1));
            }
          }
        }
      } else out.add('unknown');
      return out;
    }
    case 'Conditional':
      add(valueOrigins(analysis, expression.trueExpression, fn, depth + 1));
      add(valueOrigins(analysis, expression.falseExpression, fn, depth + 1));
      return out;
    case 'TupleExpression':
      if (expression.components?.length === 1) return valueOrigins(analysis, expression.components[0], fn, depth + 1);
      out.add('unknown');
      return out;
    case 'NumberLiteral':
    case 'HexLiteral':
    case 'StringLiteral':
    case 'BooleanLiteral':
      out.add('literal');
      return out;
    default:
      out.add('unknown');
      return out;
  }
}
/** Values assigned to a local variable anywhere in the function. */
function assignedValues(fn: FunctionIR, name: string): Node[] {
  const out: Node[] = [];
  if (!fn.body) return out;
  walk(fn.body, (node) => {
    if (node.type === 'VariableDeclarationStatement' && node.initialValue) {
      const variables = node.variables ?? [];
      if (variables.length === 1 && variables[0]?.name === name) out.push(node.initialValue);
    } else if (node.type === 'BinaryOperation' && node.operator === '=' && node.left?.type === 'Identifier') {
      if (node.left.name === name) out.push(node.right);
    }
    return undefined;
  });
  return out;
}
/**
 * `a`, `a[].b`, ... for an expression rooted in a state variable (also through a local storage
 * pointer); undefined otherwise.
 */
export function statePath(
  analysis: Analysis,
  node: Node | null | undefined,
  fn: FunctionIR,
  depth = 0,
): string | undefined {
  if (!node || depth > 4) return undefined;
  switch (node.type) {
    case 'Identifier': {
      const facts = analysis.facts(fn);
      const local = facts.locals.get(node.name);
      if (local) {
        if (local.storageLocation !== 'storage') return undefined;
        const declaration = facts.parents.get(local.node);
        const initial = declaration?.type === 'VariableDeclarationStatement' ? declaration.initialValue : undefined;
        return initial ? statePath(analysis, initial, fn, depth + 1) : undefined;
      }
      const state = findStateVariable(fn.contract, node.name);
      return state && !state.constant ? node.name : undefined;
    }
    case 'MemberAccess': {
      const base = statePath(analysis, node.expression, fn, depth);
      return base === undefined ? undefined : `${base}.${node.memberName}`;
    }
    case 'IndexAccess': {
      const base = statePath(analysis, node.base, fn, depth);
      return base === undefined ? undefined : `${base}[]`;
    }
    default:
      return undefined;
  }
}
const userStateCache = new WeakMap<Contract, Set<string>>();
/**
 * State paths anyone can set to an address of their choice: written from msg.sender or from a
 * parameter in a public function that does not restrict its caller (or in what it calls).
 * Constructors excluded.
 */
export function userControlledState(analysis: Analysis, contract: Contract): Set<string> {
  const cached = userStateCache.get(contract);
  if (cached) return cached;
  const out = new Set<string>();
  userStateCache.set(contract, out);
  const open = new Set<FunctionIR>();
  for (const fn of allFunctions(contract)) {
    if (fn.kind === 'constructor' || !analysis.isEntryPoint(fn) || isGuarded(analysis, fn)) continue;
    for (const f of analysis.reachable(fn)) if (f.kind !== 'constructor') open.add(f);
  }
  for (const f of open) {
    for (const write of analysis.facts(f).stateWrites) {
      const node = write.node;
      let target: Node | undefined;
      let value: Node | undefined;
      let pushed = false;
      if (node.type === 'BinaryOperation' && node.operator === '=') {
        target = node.left;
        value = node.right;
      } else if (node.type === 'FunctionCall' && node.expression?.memberName === 'push' && node.arguments?.[0]) {
        target = node.expression.expression;
        value = node.arguments[0];
        pushed = true;
      }
      if (!target || !value) continue;
      const origins = valueOrigins(analysis, value, f);
      if (
        ![...origins].some((o) => o === 'msg.sender' || o === 'tx.origin' || o === 'signer' || o.startsWith('param:'))
      )
        continue;
      for (const base of target.type === 'TupleExpression' ? (target.components ?? []) : [target]) {
        const path = statePath(analysis, base, f);
        if (path) out.add(pushed ? `${path}[]` : path);
      }
    }
  }
  return out;
}
/** Whether a call's receiver is an address the caller (or anyone) chooses. */
export function receiverIsUserControlled(analysis: Analysis, context: CallContext): boolean {
  return expressionIsUserControlled(analysis, context.call.receiver, context, context.chain.length);
}
/** The function at `level` of a context: 0 is the entry point, `chain.length` the call's function. */
function holderAt(context: CallContext, level: number): FunctionIR {
  return level < context.chain.length ? context.chain[level].fn : context.fn;
}
/** Whether a value in the function at `level` of the context can be chosen by the caller. */
export function expressionIsUserControlled(
  analysis: Analysis,
  expression: Node | undefined,
  context: CallContext,
  level: number,
): boolean {
  if (!expression) return false;
  const holder = holderAt(context, level);
  const origins = valueOrigins(analysis, expression, holder);
  const userState = userControlledState(analysis, context.entry.contract);
  // Behind an owner or role check, the caller and its arguments are the privileged account's choice.
  const open = !isGuarded(analysis, context.entry);
  for (const origin of origins) {
    if (origin === 'signer') return true;
    if (origin === 'msg.sender' || origin === 'tx.origin') {
      if (open) return true;
      continue;
    }
    if (origin.startsWith('state:') && pathIsUserControlled(origin.slice(6), userState)) return true;
    if (origin.startsWith('param:')) {
      const name = origin.slice(6);
      if (level === 0) {
        if (open) return true;
        continue;
      }
      const index = holder.params.findIndex((p) => p.name === name);
      const argument = argumentFor(context.chain[level - 1].site, holder, index);
      if (argument && expressionIsUserControlled(analysis, argument, context, level - 1)) return true;
    }
  }
  return false;
}
/** `a[].b` is user-controlled when it, or a prefix of it, was set by users. */
export function pathIsUserControlled(path: string, userState: Set<string>): boolean {
  let current = path;
  for (;;) {
    if (userState.has(current)) return true;
    const cut = Math.max(
      current.lastIndexOf('.'),
      current.lastIndexOf('[]') === current.length - 2 ? current.length - 2 : -1,
    );
    if (cut <= 0) return false;
    current = current.slice(0, cut);
  }
}
/** The argument passed for parameter `index` of `target` at `site` (bound library calls pass the receiver first). */
export function argumentFor(site: CallSite, target: FunctionIR, index: number): Node | undefined {
  if (index < 0) return undefined;
  const args = site.arguments;
  if (site.kind === 'library' && target.params.length === args.length + 1) {
    return index === 0 ? site.receiver : args[index - 1];
  }
  return args[index];
}

// ---------------------------------------------------------------- messages
export function variableNames(accesses: Access[]): string {
  return [...new Set(accesses.map((a) => a.variable.name))].join(', ');
}
/** "via A.f → B.g" when the call sits in an internal function. */
export function pathNote(context: CallContext): string {
  if (context.chain.length === 0) return '';
  return ` (reached from ${qualifiedName(context.entry)})`;
}
/** Related locations for writes after a call (at most three). */
export function writeRelated(writes: Access[]): { node: Node; unit: Contract['unit']; message: string }[] {
  const seen = new Set<Node>();
  const out: { node: Node; unit: Contract['unit']; message: string }[] = [];
  for (const write of writes) {
    if (seen.has(write.node) || out.length >= 3) continue;
    seen.add(write.node);
    out.push({
      node: write.node,
      unit: write.fn.contract.unit,
      message: `${write.variable.name} written after the call`,
    });
  }
  return out;
}

// ---------------------------------------------------------------- other entry points
/** Whether the callee of a context can run arbitrary code: it receives ether with gas, or the caller picks it. */
export function handsOverControl(analysis: Analysis, context: CallContext): boolean {
  const kind = context.kind;
  return kind === 'eth' || (kind === 'external' && receiverIsUserControlled(analysis, context));
}
/**
 * Whether `fn` (or what it calls) bases a decision on `variable`: a condition, the amount or
 * arguments of a call that moves value or leaves the contract, or a value written to state.
 */
export function decidesOn(analysis: Analysis, fn: FunctionIR, variable: StateVariable): boolean {
  const source = `state:${variable.name}` as const;
  for (const f of analysis.reachable(fn)) {
    const facts = analysis.facts(f);
    if (!facts.stateReads.some((r) => r.variable === variable)) continue;
    const expressions: Node[] = [...facts.conditions];
    for (const call of facts.calls) {
      if (classifyCall(analysis, f, call) === 'none') continue;
      if (call.value) expressions.push(call.value);
      expressions.push(...call.arguments);
    }
    for (const write of facts.stateWrites) {
      if (write.node.type === 'BinaryOperation') expressions.push(write.node.right);
      else if (write.node.type === 'FunctionCall') expressions.push(...(write.node.arguments ?? []));
    }
    if (expressions.some((e) => analysis.taintOf(e, f).has(source))) return true;
  }
  return false;
}
/** Non-view public functions of the contract that another call can enter while `context` runs. */
export function reenterableFunctions(analysis: Analysis, context: CallContext): FunctionIR[] {
  const entryGuarded = analysis.hasReentrancyGuard(context.entry);
  return allFunctions(context.entry.contract).filter(
    (other) =>
      other !== context.entry &&
      analysis.isEntryPoint(other) &&
      !(entryGuarded && analysis.hasReentrancyGuard(other)) &&
      !isGuarded(analysis, other),
  );
}
/** Every entry point, guarded or not (a guard on one function does not cover the others). */
export function entryPoints(analysis: Analysis, functions: FunctionIR[]): FunctionIR[] {
  // A library's functions run in the storage of the contract that calls them: they are reached from there.
  return functions.filter((fn) => analysis.isEntryPoint(fn) && fn.contract.kind !== 'library');
}
/**
 * User-settable state paths a value comes from, following parameters of internal functions back
 * to their callers in the context (`level` 0 is the entry point). msg.sender and the entry
 * point's own parameters are not included: those only let callers hurt themselves.
 */
export function userStateOrigins(
  analysis: Analysis,
  expression: Node | undefined,
  context: CallContext,
  level: number,
): string[] {
  if (!expression) return [];
  const holder = holderAt(context, level);
  const userState = userControlledState(analysis, context.entry.contract);
  const out: string[] = [];
  for (const origin of valueOrigins(analysis, expression, holder)) {
    if (origin.startsWith('state:') && pathIsUserControlled(origin.slice(6), userState)) out.push(origin.slice(6));
    else if (origin.startsWith('param:') && level > 0) {
      const index = holder.params.findIndex((p) => p.name === origin.slice(6));
      const argument = argumentFor(context.chain[level - 1].site, holder, index);
      out.push(...userStateOrigins(analysis, argument, context, level - 1));
    }
  }
  return out;
}
/** Whether the call runs inside a loop, in its own function or at a call site on the way to it. */
export function runsInLoop(context: CallContext): boolean {
  return context.call.inLoop || context.chain.some((link) => link.site.inLoop);
}
/**
 * Whether every stale write also had an update before the call (a temporary change undone
 * afterwards, as a flash mint mints before the callback and burns after it). A re-entrant call
 * then sees the in-flight value the function chose to expose: still worth a look, less clearly a bug.
 */
export function onlyInFlightUpdates(analysis: Analysis, context: CallContext, stale: Access[]): boolean {
  const before = writesBefore(analysis, context);
  return stale.every((w) => before.some((b) => b.path === w.path));
}
