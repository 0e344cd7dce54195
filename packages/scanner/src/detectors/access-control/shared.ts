import {
  type Analysis,
  type CallSite,
  dottedName,
  type FunctionIR,
  findAll,
  findStateVariable,
  hasUnresolvedGuardModifier,
  isInteger,
  type Node,
  operandsOf,
  type StateVariable,
  type TaintSource,
  walk,
} from '@bulwark/solidity';
import { assemblyCalls } from '../../analysis/assembly.ts';
import { reachesSignatureCheck } from '../../analysis/guards.ts';
import { sourceText } from '../../analysis/sourceText.ts';

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

export type GuardOptions = {
  /**
   * A caller's own amount (`balances[msg.sender] >= x`) decides how much, not who: with this set
   * it does not count as access control (ether withdrawal asks instead whether it is updated).
   */
  amountsAreNotGuards?: boolean;
};

/**
 * Access control on the way through an entry point: a condition on msg.sender / tx.origin (see
 * senderCheckedInFrames), an unresolved modifier, a deferred authorisation hook, an assembly check
 * on caller(), or a signature verified with ecrecover / ERC-1271 (Safe-style owners authorise by
 * signature, not by calling).
 */
export function isGuarded(analysis: Analysis, fn: FunctionIR, frames?: Frame[], options: GuardOptions = {}): boolean {
  if (hasUnresolvedGuardModifier(fn)) return true;
  const path = frames ?? framesOf(analysis, fn);
  if (senderCheckedInFrames(analysis, path, options)) return true;
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

/**
 * One function on the way from an entry point: the entry itself, a modifier it uses, or an
 * internal/library function it calls (transitively). `bindings` says where each parameter's value
 * comes from, in terms of the entry point; `via` is the call (or modifier use) in the entry
 * that leads here, for reporting at the entry.
 */
export type Frame = {
  fn: FunctionIR;
  bindings: Map<string, Set<TaintSource>>;
  /** The argument expression behind each parameter, in the calling frame. */
  argumentsOf: Map<string, { node: Node; frame: Frame }>;
  via: Node | undefined;
  depth: number;
};

/** The entry point and everything it runs through internal calls and modifiers (depth-limited). */
export function framesOf(analysis: Analysis, entry: FunctionIR, maxDepth = 4): Frame[] {
  const identity = new Map<string, Set<TaintSource>>();
  for (const p of entry.params) if (p.name) identity.set(p.name, new Set<TaintSource>([`param:${p.name}`]));
  const root: Frame = { fn: entry, bindings: identity, argumentsOf: new Map(), via: undefined, depth: 0 };
  const frames: Frame[] = [root];
  const seen = new Set<FunctionIR>([entry]);
  const queue: Frame[] = [root];
  while (queue.length > 0) {
    const frame = queue.shift()!;
    if (frame.depth >= maxDepth) continue;
    const push = (target: FunctionIR, args: Node[], via: Node) => {
      if (seen.has(target) || !target.body) return;
      seen.add(target);
      const bindings = new Map<string, Set<TaintSource>>();
      const argumentsOf = new Map<string, { node: Node; frame: Frame }>();
      target.params.forEach((p, i) => {
        if (!p.name) return;
        bindings.set(p.name, args[i] ? sourcesOf(analysis, frame, args[i]) : new Set());
        if (args[i]) argumentsOf.set(p.name, { node: args[i], frame });
      });
      const next: Frame = { fn: target, bindings, argumentsOf, via: frame.via ?? via, depth: frame.depth + 1 };
      frames.push(next);
      queue.push(next);
    };
    for (const use of frame.fn.modifiers) if (use.definition) push(use.definition, use.arguments, use.node);
    for (const call of analysis.facts(frame.fn).calls) {
      if (call.kind !== 'internal' && call.kind !== 'library') continue;
      for (const target of call.targets) push(target, argumentsFor(call, target), call.node);
    }
  }
  return frames;
}

/** Arguments in parameter order; a bound library call (`x.f(y)`) passes its receiver first. */
export function argumentsFor(call: CallSite, target: FunctionIR): Node[] {
  if (call.kind === 'library' && call.receiver && dottedName(call.receiver) !== target.contract.name) {
    return [call.receiver, ...call.arguments];
  }
  return call.arguments;
}

/** Taint of an expression in a frame, with the frame's parameters replaced by their bindings. */
export function sourcesOf(analysis: Analysis, frame: Frame, expression: Node | undefined): Set<TaintSource> {
  const out = new Set<TaintSource>();
  if (!expression) return out;
  for (const source of analysis.taintOf(expression, frame.fn)) {
    if (source.startsWith('param:')) {
      for (const bound of frame.bindings.get(source.slice(6)) ?? []) out.add(bound);
    } else out.add(source);
  }
  return out;
}

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
 * Access control seen through the frames: a condition that decides on msg.sender / tx.origin,
 * directly or through a parameter bound to it (`_checkModule(type, msg.sender)` →
 * `require(installed(module))`) or a helper returning a comparison (`require(isOwner())`).
 * The caller passed along to a state-changing external call is no check:
 * `require(token.transferFrom(from, msg.sender, v))` tests the call's success, not the caller.
 */
export function senderCheckedInFrames(analysis: Analysis, frames: Frame[], options: GuardOptions = {}): boolean {
  return frames.some((frame) =>
    analysis
      .facts(frame.fn)
      .conditions.some((condition) => decidesOnSender(analysis, frame, condition, undefined, 0, options)),
  );
}

function decidesOnSender(
  analysis: Analysis,
  frame: Frame,
  node: Node,
  parent: Node | undefined,
  depth: number,
  options: GuardOptions = {},
): boolean {
  if (depth > 12) return false;
  if (options.amountsAreNotGuards && (node.type === 'IndexAccess' || node.type === 'MemberAccess')) {
    // `balances[msg.sender]`, `users[msg.sender].deposit`: an amount keyed by the caller.
    if (isInteger(analysis.typeOf(node, frame.fn)) && rootStateVariable(frame.fn, node, analysis)) return false;
  }
  const dotted = dottedName(node);
  if (dotted === 'msg.sender' || dotted === 'tx.origin') return true;
  if (node.type === 'Identifier') {
    const bound = frame.bindings.get(node.name);
    if (bound) return bound.has('msg.sender') || bound.has('tx.origin');
    // A local holding the caller: `address sender = _msgSender(); if (pending != sender) revert`.
    const local = analysis.facts(frame.fn).locals.get(node.name);
    if (options.amountsAreNotGuards && local?.storageLocation === 'storage') return false;
    if (depth < 6 && local && frame.fn.body) {
      for (const declaration of findAll(frame.fn.body, 'VariableDeclarationStatement')) {
        const variables = declaration.variables ?? [];
        if (variables.length === 1 && variables[0]?.name === node.name && declaration.initialValue)
          return decidesOnSender(analysis, frame, declaration.initialValue, declaration, depth + 3, options);
      }
    }
    return false;
  }
  if (node.type === 'FunctionCall') {
    const site = analysis.facts(frame.fn).calls.find((c) => c.node === node);
    if (site && (site.kind === 'internal' || site.kind === 'library')) {
      if (site.targets.some((target) => returnsSender(analysis, target, 0))) return true;
      if (node.expression?.type === 'Identifier' && /^_?msgSender$/.test(node.expression.name)) return true;
    }
    if (
      site &&
      site.kind !== 'internal' &&
      site.kind !== 'library' &&
      site.kind !== 'builtin' &&
      site.kind !== 'type-conversion'
    ) {
      // An external call decides on the caller only when it is a query compared with something
      // (`token.balanceOf(msg.sender) > 0`) or a known view (`registry.isAdmin(msg.sender)`).
      const compared =
        parent?.type === 'BinaryOperation' && ['==', '!=', '<', '>', '<=', '>='].includes(parent.operator);
      const view = site.targets.some((t) => t.mutability === 'view' || t.mutability === 'pure');
      if (!compared && !view) return false;
    }
    return (
      (node.arguments ?? []).some((a: Node) => decidesOnSender(analysis, frame, a, node, depth + 1, options)) ||
      (node.expression?.type === 'MemberAccess' &&
        decidesOnSender(analysis, frame, node.expression.expression, node, depth + 1, options))
    );
  }
  for (const child of operandsOf(node))
    if (decidesOnSender(analysis, frame, child, node, depth + 1, options)) return true;
  return false;
}

/** The function returns something computed from msg.sender / tx.origin (`return msg.sender == owner`). */
function returnsSender(analysis: Analysis, fn: FunctionIR, depth: number): boolean {
  if (!fn.body || depth > 2) return false;
  const returned = [
    ...findAll(fn.body, 'ReturnStatement').map((r) => r.expression),
    // Named return values assigned in the body.
    ...findAll(fn.body, (n) => n.type === 'BinaryOperation' && n.operator === '=')
      .filter((n) => n.left?.type === 'Identifier' && fn.returns.some((r) => r.name === n.left.name))
      .map((n) => n.right),
  ].filter(Boolean) as Node[];
  const facts = analysis.facts(fn);
  return returned.some(
    (expression) =>
      findAll(expression, (n) => {
        const dotted = dottedName(n);
        if (dotted === 'msg.sender' || dotted === 'tx.origin') return true;
        if (n.type !== 'FunctionCall') return false;
        const site = facts.calls.find((c) => c.node === n);
        return Boolean(site?.kind === 'internal' && site.targets.some((t) => returnsSender(analysis, t, depth + 1)));
      }).length > 0,
  );
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

/** Follows a parameter back to the argument the caller passed (`target` → `address(this)`). */
export function argumentBehind(frame: Frame, node: Node | undefined): { node: Node | undefined; frame: Frame } {
  let current = { node, frame };
  for (let i = 0; i < 6 && current.node?.type === 'Identifier'; i++) {
    const behind = current.frame.argumentsOf.get(current.node.name);
    if (!behind) break;
    current = behind;
  }
  return current;
}
