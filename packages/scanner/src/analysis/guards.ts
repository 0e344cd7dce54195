import {
  Analysis,
  type CallSite,
  convertedValue,
  dottedName,
  type FunctionIR,
  findAll,
  hasUnresolvedGuardModifier,
  isInteger,
  type Node,
  operandsOf,
  type Program,
} from '@bulwark/solidity';
import { argumentBehind, type Frame, framesOf } from './frames.ts';
import { declaredInitialiser } from './locals.ts';
import { rootStateVariable } from './storage.ts';

/**
 * A call that verifies a signature: `ecrecover`, a library `recover` (OpenZeppelin's ECDSA) or
 * ERC-1271 `isValidSignature`. Safe-style owners authorise by signing, not by calling, so a
 * function that checks a signature restricts who may act through it.
 */
export function verifiesSignature(call: CallSite): boolean {
  return (
    (call.kind === 'builtin' && call.name === 'ecrecover') ||
    (call.kind === 'library' && call.name === 'recover') ||
    (call.kind === 'external' && call.name === 'isValidSignature')
  );
}

/** `fn` or an internal/library function it reaches verifies a signature (see verifiesSignature). */
export function reachesSignatureCheck(analysis: Analysis, fn: FunctionIR): boolean {
  return analysis.reachable(fn).some((f) => analysis.facts(f).calls.some(verifiesSignature));
}

/**
 * The one "is this expression the caller" check: `msg.sender`, `tx.origin`, `_msgSender()` (or an
 * internal helper returning the caller), a conversion of one of these, a local initialised from
 * one, or a parameter the caller of `fn` bound to the sender (`senderParams`).
 */
export function isSender(analysis: Analysis, fn: FunctionIR, expression: Node, senderParams?: Set<string>): boolean {
  return senderAt(analysis, fn, expression, senderParams, 0);
}

function senderAt(
  analysis: Analysis,
  fn: FunctionIR,
  expression: Node,
  senderParams: Set<string> | undefined,
  depth: number,
): boolean {
  if (depth > 6) return false;
  let node = expression;
  while (node.type === 'TupleExpression' && node.components?.length === 1 && node.components[0])
    node = node.components[0];
  const converted = convertedValue(node, { analysis, fn });
  if (converted) return senderAt(analysis, fn, converted, senderParams, depth + 1);
  const dotted = dottedName(node);
  if (dotted === 'msg.sender' || dotted === 'tx.origin') return true;
  if (node.type === 'FunctionCall') {
    if (node.expression?.type === 'Identifier' && /^_?msgSender$/.test(node.expression.name)) return true;
    const site = analysis.facts(fn).calls.find((c) => c.node === node);
    return Boolean(
      site?.kind === 'internal' &&
        site.arguments.length === 0 &&
        site.targets.some((t) => returnsOnly(t, (r) => senderAt(analysis, t, r, undefined, depth + 1))),
    );
  }
  if (node.type !== 'Identifier') return false;
  if (senderParams?.has(node.name)) return true;
  const facts = analysis.facts(fn);
  if (!facts.locals.has(node.name) || fn.params.some((p) => p.name === node.name)) return false;
  const initial = declaredInitialiser(fn, node.name);
  if (initial && initial !== expression && senderAt(analysis, fn, initial, senderParams, depth + 1)) return true;
  const sources = analysis.localTaint(fn).get(node.name);
  return Boolean(sources?.has('msg.sender') && sources.size === 1);
}

/** Every returned expression of `fn` satisfies `test` (and there is at least one). */
function returnsOnly(fn: FunctionIR, test: (returned: Node) => boolean): boolean {
  if (!fn.body) return false;
  const returned = findAll(fn.body, 'ReturnStatement')
    .map((r) => r.expression)
    .filter(Boolean) as Node[];
  return returned.length > 0 && returned.every(test);
}

const guardCache = new WeakMap<Analysis, Map<FunctionIR, boolean>>();

/** The program's analysis as the scanner uses it: its state taint ("anyone can set this") asks `isGuarded`. */
export function analysisOf(program: Program): Analysis {
  const analysis: Analysis = new Analysis(program, { restrictsCaller: (fn) => isGuarded(analysis, fn) });
  return analysis;
}

/**
 * The one answer to "does this function restrict who may call it": on the way through the entry
 * point (its modifiers and the internal/library functions it calls) a condition lets only some
 * callers through — the caller compared with a stored authority, looked up in an allow-list or
 * role (`admins[msg.sender]`, `hasRole(r, msg.sender)`), or asked of a helper (`require(isOwner())`);
 * or a modifier whose code is missing (see unresolvedModifierGuards), an unimplemented
 * authorisation hook, an assembly check on caller(), or a verified signature.
 * Not guards: the caller's own amount (`balances[msg.sender] >= x`), excluding someone
 * (`require(msg.sender != x)`, `require(!blocked[msg.sender])`) and the EOA test `msg.sender == tx.origin`.
 */
export function isGuarded(analysis: Analysis, fn: FunctionIR): boolean {
  let cache = guardCache.get(analysis);
  if (!cache) {
    cache = new Map();
    guardCache.set(analysis, cache);
  }
  const cached = cache.get(fn);
  if (cached !== undefined) return cached;
  cache.set(fn, false);
  const result = computeGuarded(analysis, fn);
  cache.set(fn, result);
  return result;
}

function computeGuarded(analysis: Analysis, fn: FunctionIR): boolean {
  if (hasUnresolvedGuardModifier(fn)) return true;
  const path = framesOf(analysis, fn);
  if (path.some((frame) => analysis.facts(frame.fn).conditions.some((c) => conditionRestricts(analysis, frame, c))))
    return true;
  // An unimplemented internal hook (`_authorizeUpgrade(newImpl)`) defers the check to the
  // contract that implements it: assume it guards, as for an unresolved modifier.
  const deferred = path.some((frame) =>
    analysis
      .facts(frame.fn)
      .calls.some((call) => call.kind === 'internal' && call.targets.length > 0 && call.targets.every((t) => !t.body)),
  );
  if (deferred) return true;
  // Assembly: `if iszero(eq(sload(slot), caller())) { revert(...) }`.
  const assemblyCheck = path.some((frame) =>
    findAll(frame.fn.body ?? { type: 'Block' }, (n) => n.type === 'AssemblyIf' || n.type === 'AssemblySwitch').some(
      (branch) =>
        findAll(
          branch.type === 'AssemblyIf' ? branch.condition : branch.expression,
          (n) => n.type === 'AssemblyCall' && (n.functionName === 'caller' || n.functionName === 'origin'),
        ).length > 0,
    ),
  );
  if (assemblyCheck) return true;
  return reachesSignatureCheck(analysis, fn);
}

/** In `require(c)` the caller must make c true; in `if (c) revert();` (or `return;`) it must make c false. */
function conditionRestricts(analysis: Analysis, frame: Frame, condition: Node): boolean {
  const holder = analysis.facts(frame.fn).parents.get(condition);
  const mustBeFalse = holder?.type === 'IfStatement' && holder.condition === condition && branchStops(holder.trueBody);
  return restricts(analysis, frame, condition, undefined, 0, mustBeFalse);
}

/**
 * A branch that stops the caller: it is, or holds among its own statements, a revert, throw or
 * return (`if (msg.sender != owner) return;`). The one answer for every module that asks.
 */
export function branchStops(branch: Node | null | undefined): boolean {
  if (!branch) return false;
  const statements: Node[] = branch.type === 'Block' ? (branch.statements ?? []) : [branch];
  return statements.some((statement) => {
    if (!statement) return false;
    if (
      statement.type === 'RevertStatement' ||
      statement.type === 'ThrowStatement' ||
      statement.type === 'ReturnStatement'
    )
      return true;
    const expression = statement.type === 'ExpressionStatement' ? statement.expression : undefined;
    return (
      expression?.type === 'FunctionCall' &&
      expression.expression?.type === 'Identifier' &&
      expression.expression.name === 'revert'
    );
  });
}

/** The caller, in a frame: a parameter counts when the argument passed for it is the caller (`_checkOwner(msg.sender)`). */
function senderInFrame(analysis: Analysis, frame: Frame, node: Node): boolean {
  if (node.type === 'Identifier') {
    const behind = argumentBehind(frame, node);
    if (behind.node !== node && behind.node) return isSender(analysis, behind.frame.fn, behind.node);
  }
  return isSender(analysis, frame.fn, node);
}

/**
 * The condition (or this part of it) lets only some callers through. `negated`: the part must be
 * false for the caller to pass (under a `!`, or in an `if (...) revert()`).
 */
function restricts(
  analysis: Analysis,
  frame: Frame,
  node: Node,
  parent: Node | undefined,
  depth: number,
  negated: boolean,
): boolean {
  if (depth > 12) return false;
  const { fn } = frame;
  if (node.type === 'IndexAccess' || node.type === 'MemberAccess') {
    // `balances[msg.sender]`, `users[msg.sender].deposit`: an amount keyed by the caller decides how much, not who.
    if (isInteger(analysis.typeOf(node, fn)) && rootStateVariable(fn, node, analysis)) return false;
  }
  if (node.type === 'UnaryOperation' && node.operator === '!')
    return restricts(analysis, frame, node.subExpression, node, depth + 1, !negated);
  if (node.type === 'BinaryOperation' && (node.operator === '==' || node.operator === '!=')) {
    const left = senderInFrame(analysis, frame, node.left);
    const right = senderInFrame(analysis, frame, node.right);
    if (left || right) {
      // `msg.sender == tx.origin` tells an EOA from a contract, not who the caller is.
      if (left && right) return false;
      return (node.operator === '==') !== negated;
    }
  }
  if (senderInFrame(analysis, frame, node)) {
    // The caller as a key or argument: `admins[msg.sender]`, `hasRole(role, msg.sender)`.
    const asks = parent?.type === 'IndexAccess' || parent?.type === 'FunctionCall';
    if (!asks) return true;
    const type = analysis.typeOf(parent, fn);
    if (type.kind === 'elementary' && type.name === 'bool') return !negated;
    if (parent.type === 'FunctionCall') return true;
    // A record keyed by the caller decides who only when tested for equality
    // (`owners[msg.sender] != address(0)`, `roles[msg.sender] == Role.Admin`); ordered or used in
    // arithmetic it is an amount (`tokens[t][msg.sender] >= amount`).
    let record: Node = parent;
    const parents = analysis.facts(fn).parents;
    while (parents.get(record)?.type === 'IndexAccess' || parents.get(record)?.type === 'MemberAccess')
      record = parents.get(record)!;
    const use = parents.get(record);
    return use?.type === 'BinaryOperation' && (use.operator === '==' || use.operator === '!=');
  }
  if (node.type === 'Identifier') {
    // A local holding something computed from the caller: `bool ok = admins[msg.sender]; require(ok)`.
    const local = analysis.facts(fn).locals.get(node.name);
    if (!local || local.storageLocation === 'storage' || depth >= 6) return false;
    const initial = declaredInitialiser(fn, node.name);
    return initial ? restricts(analysis, frame, initial, parent, depth + 3, negated) : false;
  }
  if (node.type === 'FunctionCall') {
    const site = analysis.facts(fn).calls.find((c) => c.node === node);
    if (site && (site.kind === 'internal' || site.kind === 'library')) {
      // `require(isOwner())`: a helper that compares the caller itself.
      if (site.arguments.length === 0 && site.targets.some((t) => returnsRestriction(analysis, t))) return !negated;
    }
    if (
      site &&
      site.kind !== 'internal' &&
      site.kind !== 'library' &&
      site.kind !== 'builtin' &&
      site.kind !== 'type-conversion'
    ) {
      // An external call decides on the caller only when it is a query compared with something
      // (`token.balanceOf(msg.sender) > 0`) or a known view (`registry.isAdmin(msg.sender)`); the
      // caller passed to a state-changing call (`require(token.transferFrom(from, msg.sender, v))`) is no check.
      const compared =
        parent?.type === 'BinaryOperation' && ['==', '!=', '<', '>', '<=', '>='].includes(parent.operator);
      const view = site.targets.some((t) => t.mutability === 'view' || t.mutability === 'pure');
      if (!compared && !view) return false;
    }
    return (
      (node.arguments ?? []).some((a: Node) => restricts(analysis, frame, a, node, depth + 1, negated)) ||
      (node.expression?.type === 'MemberAccess' &&
        restricts(analysis, frame, node.expression.expression, node, depth + 1, negated))
    );
  }
  for (const child of operandsOf(node)) if (restricts(analysis, frame, child, node, depth + 1, negated)) return true;
  return false;
}

const helpersInProgress = new WeakSet<FunctionIR>();

/** `fn` returns a restriction on the caller (`return msg.sender == owner;`, `return admins[_msgSender()];`). */
function returnsRestriction(analysis: Analysis, fn: FunctionIR): boolean {
  if (!fn.body || helpersInProgress.has(fn)) return false;
  helpersInProgress.add(fn);
  try {
    const returned = [
      ...findAll(fn.body, 'ReturnStatement').map((r) => r.expression),
      // Named return values assigned in the body.
      ...findAll(fn.body, (n) => n.type === 'BinaryOperation' && n.operator === '=')
        .filter((n) => n.left?.type === 'Identifier' && fn.returns.some((r) => r.name === n.left.name))
        .map((n) => n.right),
    ].filter(Boolean) as Node[];
    const frame: Frame = { fn, bindings: new Map(), argumentsOf: new Map(), via: undefined, depth: 0 };
    return returned.some((expression) => restricts(analysis, frame, expression, undefined, 0, false));
  } finally {
    helpersInProgress.delete(fn);
  }
}
