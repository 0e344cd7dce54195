import {
  type Analysis,
  assignedBases,
  type Contract,
  convertedValue,
  type FunctionIR,
  findAll,
  findStateVariable,
  type Node,
  type Program,
  type StateVariable,
  unwrapCallee,
  withoutConversions,
} from '@bulwark/solidity';
import { assemblyCalls } from './assembly.ts';
import { framesOf, fromInput } from './conditionDependencies.ts';
import type { ContractProfile } from './contractProfile.ts';
import { reachable } from './contracts.ts';
import { writtenRoot } from './events.ts';
import { branchStops, isSender } from './guards.ts';
import { declaredInitialiser } from './locals.ts';

export type AuthorityKind = 'address' | 'slot' | 'contract' | 'role' | 'self';
export type Authority = {
  kind: AuthorityKind;
  /** The state variable holding the address (kind 'address'). */
  variable?: StateVariable | undefined;
  /** The comparison or membership test. */
  check: Node;
  checkFn: FunctionIR;
};
const authorityCache = new WeakMap<Analysis, Map<string, Authority[]>>();
const scopeIds = new WeakMap<Contract, number>();
const entryIds = new WeakMap<FunctionIR, number>();
let nextId = 0;
function idOf<T extends object>(map: WeakMap<T, number>, key: T): number {
  let id = map.get(key);
  if (id === undefined) {
    id = nextId++;
    map.set(key, id);
  }
  return id;
}
/** The authorities an entry point checks the caller against (in the deployed contract `scope`). */
export function authoritiesOf(analysis: Analysis, entry: FunctionIR, scope?: Contract): Authority[] {
  let cache = authorityCache.get(analysis);
  if (!cache) {
    cache = new Map();
    authorityCache.set(analysis, cache);
  }
  const key = `${idOf(entryIds, entry)}:${scope ? idOf(scopeIds, scope) : '-'}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const out: Authority[] = [];
  cache.set(key, out);
  for (const frame of framesOf(analysis, entry, scope)) {
    const fn = frame.fn;
    const facts = analysis.facts(fn);
    const sender = (n: Node) => isSender(analysis, fn, n, frame.senderParams);
    for (const condition of facts.conditions) {
      if (!isGuardCondition(condition, facts.parents)) continue;
      for (const node of findAll(
        condition,
        (n) => n.type === 'BinaryOperation' || n.type === 'FunctionCall' || n.type === 'IndexAccess',
      )) {
        if (node.type === 'BinaryOperation' && (node.operator === '==' || node.operator === '!=')) {
          const left = sender(node.left);
          if (left === sender(node.right)) continue;
          const resolved = resolveAuthority(analysis, left ? node.right : node.left, fn, 0);
          if (resolved?.kind === 'address' && scope && deployerIsContract(analysis, scope, resolved.variable))
            resolved.kind = 'contract';
          if (resolved) out.push({ ...resolved, check: node, checkFn: fn });
        } else if (node.type === 'IndexAccess' && sender(node.index)) {
          // An allow-list (`admins[msg.sender]`), not the caller's own balance.
          const type = analysis.typeOf(node, fn);
          if (type.kind === 'elementary' && type.name === 'bool')
            out.push({ kind: 'role', variable: writtenRoot(fn, node), check: node, checkFn: fn });
        } else if (node.type === 'FunctionCall' && !convertedValue(node)) {
          const site = facts.calls.find((c) => c.node === node);
          if (!site?.arguments.some(sender)) continue;
          // hasRole(ROLE, msg.sender): the other arguments are fixed; _isApprovedOrOwner(msg.sender, id) is ownership.
          const others = site.arguments.filter((a) => !sender(a));
          if (others.some((a) => fromInput(analysis, frame, a))) continue;
          if (site.kind === 'external') out.push({ kind: 'contract', check: node, checkFn: fn });
          else if (site.kind === 'internal' || site.kind === 'library')
            out.push({ kind: 'role', check: node, checkFn: fn });
        }
      }
    }
  }
  return out;
}
/**
 * A condition that stops the caller: a require/assert argument, or an `if` with a stopping branch
 * (guards' branchStops: revert, throw or return) or a modifier's `_` in one branch. A condition
 * that only picks a branch grants nothing.
 */
export function isGuardCondition(condition: Node, parents: Map<Node, Node>): boolean {
  const parent = parents.get(condition);
  if (!parent) return false;
  if (parent.type === 'FunctionCall') {
    const name = parent.expression?.type === 'Identifier' ? parent.expression.name : '';
    return name === 'require' || name === 'assert';
  }
  if (parent.type !== 'IfStatement' || parent.condition !== condition) return false;
  return [parent.trueBody, parent.falseBody].some((body) => branchStops(body) || (body && runsBody(body)));
}
function runsBody(branch: Node): boolean {
  return (
    findAll(
      branch,
      (n) =>
        n.type === 'PlaceholderStatement' ||
        (n.type === 'ExpressionStatement' && n.expression?.type === 'Identifier' && n.expression.name === '_'),
    ).length > 0
  );
}
function dependsOnParameters(analysis: Analysis, expression: Node, fn: FunctionIR): boolean {
  return [...analysis.taintOf(expression, fn)].some((s) => s.startsWith('param:') || s === 'msg.data');
}
export function resolveAuthority(
  analysis: Analysis,
  expression: Node,
  fn: FunctionIR,
  depth: number,
): { kind: AuthorityKind; variable?: StateVariable } | undefined {
  const node = withoutConversions(expression, { analysis, fn });
  if (node.type === 'Identifier' && node.name === 'this') return { kind: 'self' };
  if (depth > 4) return undefined;
  if (node.type === 'Identifier') {
    const facts = analysis.facts(fn);
    if (facts.locals.has(node.name)) {
      const initial = fn.body ? declaredInitialiser(fn, node.name) : undefined;
      return initial ? resolveAuthority(analysis, initial, fn, depth + 1) : undefined;
    }
    const state = findStateVariable(fn.contract, node.name);
    return state ? authorityOfVariable(analysis, state) : undefined;
  }
  if (node.type === 'MemberAccess' && node.memberName === 'value' && node.expression?.type === 'FunctionCall') {
    return { kind: 'slot' }; // StorageSlot.getAddressSlot(ADMIN_SLOT).value
  }
  if (node.type === 'IndexAccess') {
    // owners[id], admins[i]: an address picked from stored data.
    const base = assignedBases(node)[0];
    const state = base?.type === 'Identifier' ? findStateVariable(fn.contract, base.name) : undefined;
    return state && !dependsOnParameters(analysis, node.index, fn) ? { kind: 'role', variable: state } : undefined;
  }
  if (node.type === 'FunctionCall') {
    const site = analysis.facts(fn).calls.find((c) => c.node === node);
    if (!site) return undefined;
    if (site.kind === 'external') return { kind: 'contract' };
    if ((site.kind === 'internal' || site.kind === 'library') && site.arguments.length === 0) {
      const target = site.targets[0];
      if (!target?.body) return undefined;
      const returns = findAll(target.body, 'ReturnStatement').filter((r) => r.expression);
      if (returns.length === 1) return resolveAuthority(analysis, returns[0].expression, target, depth + 1);
      if (target.returns.length === 1 && target.returns[0].name) {
        if (assemblyCalls(target, new Set(['sload'])).length > 0) return { kind: 'slot' };
        const name = target.returns[0].name;
        const assigned = findAll(
          target.body,
          (n) =>
            n.type === 'BinaryOperation' && n.operator === '=' && n.left?.type === 'Identifier' && n.left.name === name,
        );
        if (assigned.length === 1) return resolveAuthority(analysis, assigned[0].right, target, depth + 1);
      }
    }
  }
  return undefined;
}
function authorityOfVariable(
  analysis: Analysis,
  variable: StateVariable,
): { kind: AuthorityKind; variable?: StateVariable } {
  const type = variable.type;
  if (type.kind === 'user') {
    const target = analysis.program.contract(type.name, variable.contract.unit);
    if (target && target.kind !== 'library') return { kind: 'contract', variable };
  }
  if (type.kind !== 'elementary' || type.name !== 'address') return { kind: 'role', variable };
  if (holdsContractAddress(analysis, variable)) return { kind: 'contract', variable };
  return { kind: 'address', variable };
}
const contractHeldCache = new WeakMap<Analysis, Map<StateVariable, boolean>>();
/**
 * True when the address a variable holds is known to be a contract: set to `address(this)` or a
 * freshly created contract, from a constructor argument that every scanned `new` passes as
 * `address(this)`, to the deployer when only other contracts deploy this one, or checked for
 * code before it is accepted.
 */
export function holdsContractAddress(analysis: Analysis, variable: StateVariable): boolean {
  let cache = contractHeldCache.get(analysis);
  if (!cache) {
    cache = new Map();
    contractHeldCache.set(analysis, cache);
  }
  const cached = cache.get(variable);
  if (cached !== undefined) return cached;
  cache.set(variable, false);
  const result = contractHeld(analysis, variable);
  cache.set(variable, result);
  return result;
}
function contractHeld(analysis: Analysis, variable: StateVariable): boolean {
  if (variable.initialValue && isContractExpression(variable.initialValue)) return true;
  const holder = variable.contract;
  for (const c of analysis.program.contracts) {
    if (!c.linearized.includes(holder)) continue;
    for (const fn of c.functions) {
      for (const write of analysis.facts(fn).stateWrites) {
        if (write.variable !== variable || write.node.type !== 'BinaryOperation') continue;
        const value = write.node.right;
        if (isContractExpression(value)) return true;
        if (fn.kind === 'constructor' && value.type === 'Identifier') {
          const index = fn.params.findIndex((p) => p.name === value.name);
          if (index >= 0 && createdWithSelfAt(analysis.program, c, index)) return true;
        }
        if (fn.kind === 'constructor' && isSender(analysis, fn, value) && createdByContract(analysis.program, c))
          return true;
        if (checksCode(analysis, fn)) return true;
      }
    }
  }
  return false;
}
/**
 * A RefundEscrow that its crowdsale creates with `new`: the authority is set to the deployer in a
 * constructor, and the program deploys `contract` from another contract, so the authority is
 * that contract, not a key (whatever other contracts inheriting the same base do).
 */
function deployerIsContract(analysis: Analysis, contract: Contract, variable: StateVariable | undefined): boolean {
  if (!variable || !createdByContract(analysis.program, contract)) return false;
  return contract.linearized.some((c) =>
    c.functions.some(
      (fn) =>
        fn.kind === 'constructor' &&
        analysis
          .facts(fn)
          .stateWrites.some(
            (w) => w.variable === variable && w.node.type === 'BinaryOperation' && isSender(analysis, fn, w.node.right),
          ),
    ),
  );
}
/** `type(C).creationCode` or `new C(...)` somewhere in the program: C is deployed by a contract. */
function createdByContract(program: Program, contract: Contract): boolean {
  for (const unit of program.units) {
    const found = findAll(
      unit.ast,
      (n) =>
        (n.type === 'MemberAccess' &&
          n.memberName === 'creationCode' &&
          n.expression?.type === 'FunctionCall' &&
          n.expression.arguments?.[0]?.type === 'Identifier' &&
          n.expression.arguments[0].name === contract.name) ||
        (n.type === 'NewExpression' && (n.typeName?.namePath ?? '').split('.').pop() === contract.name),
    );
    if (found.length > 0) return true;
  }
  return false;
}
function isContractExpression(value: Node): boolean {
  const node = withoutConversions(value);
  if (node.type === 'Identifier' && node.name === 'this') return true;
  return node.type === 'FunctionCall' && unwrapCallee(node.expression).callee.type === 'NewExpression';
}
/** Every `new C(...)` in the program passes `address(this)` at `index`. */
function createdWithSelfAt(program: Program, contract: Contract, index: number): boolean {
  let found = false;
  for (const unit of program.units) {
    for (const creation of findAll(
      unit.ast,
      (n) => n.type === 'FunctionCall' && unwrapCallee(n.expression).callee.type === 'NewExpression',
    )) {
      const typeName = unwrapCallee(creation.expression).callee.typeName;
      const name = (typeName?.namePath ?? '').split('.').pop();
      if (name !== contract.name && !program.contracts.some((c) => c.name === name && c.linearized.includes(contract)))
        continue;
      const arg = creation.arguments?.[index];
      if (!arg || !isContractExpression(arg)) return false;
      found = true;
    }
  }
  return found;
}
function checksCode(analysis: Analysis, fn: FunctionIR): boolean {
  return reachable(analysis, fn).some(
    (f) =>
      (f.body &&
        findAll(
          f.body,
          (n) => n.type === 'MemberAccess' && n.memberName === 'length' && n.expression?.memberName === 'code',
        ).length > 0) ||
      assemblyCalls(f, new Set(['extcodesize'])).length > 0 ||
      analysis.facts(f).calls.some((c) => c.name === 'isContract'),
  );
}
/** A delay: a condition reached from `entry` that compares block time or number with stored state. */
export function hasDelay(analysis: Analysis, entry: FunctionIR): boolean {
  for (const f of reachable(analysis, entry)) {
    for (const condition of analysis.facts(f).conditions) {
      const sources = analysis.taintOf(condition, f);
      const time = sources.has('block.timestamp') || sources.has('block.number');
      if (time && [...sources].some((s) => s.startsWith('state:'))) return true;
    }
  }
  return false;
}
/** State variables compared with block time or number in a condition: the parts of a timelock. */
export function delayVariables(analysis: Analysis, profile: ContractProfile): Set<StateVariable> {
  const out = new Set<StateVariable>();
  for (const entry of profile.entries) {
    for (const f of reachable(analysis, entry)) {
      for (const condition of analysis.facts(f).conditions) {
        const sources = analysis.taintOf(condition, f);
        if (!sources.has('block.timestamp') && !sources.has('block.number')) continue;
        for (const source of sources) {
          if (!source.startsWith('state:')) continue;
          const variable = findStateVariable(f.contract, source.slice(6));
          if (variable) out.add(variable);
        }
      }
    }
  }
  return out;
}
/** Several approvals: a condition comparing a stored count with a stored threshold. */
export function hasApprovalQuorum(analysis: Analysis, entry: FunctionIR): boolean {
  for (const f of reachable(analysis, entry)) {
    for (const condition of analysis.facts(f).conditions) {
      for (const comparison of findAll(
        condition,
        (n) => n.type === 'BinaryOperation' && ['>=', '>', '<', '<='].includes(n.operator),
      )) {
        const left = analysis.taintOf(comparison.left, f);
        const right = analysis.taintOf(comparison.right, f);
        // approvals[id] >= required: a stored count against a stored threshold.
        const fromState = (s: Set<string>) => [...s].some((x) => x.startsWith('state:'));
        if (fromState(left) && fromState(right)) return true;
      }
    }
  }
  return false;
}
