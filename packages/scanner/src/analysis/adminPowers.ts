import {
  type Analysis,
  allFunctions,
  allStateVariables,
  assignedBases,
  assignmentOperators,
  type CallSite,
  type Contract,
  dottedName,
  type FunctionIR,
  findAll,
  findStateVariable,
  hasUnresolvedGuardModifier,
  type Node,
  type Program,
  resolveFunctions,
  resolveModifier,
  type StateVariable,
  unwrapCallee,
} from '@bulwark/solidity';
import { assemblyCalls } from './assembly.ts';
import { isLiteralZero } from './constants.ts';
import { isGuarded, isSender } from './guards.ts';
import { sourceText } from './sourceText.ts';

// ---------------------------------------------------------------- contracts and entry points
/** Concrete contracts no other scanned contract inherits from: what actually gets deployed. */
export function deployableContracts(contracts: Contract[]): Contract[] {
  const bases = new Set<Contract>();
  for (const c of contracts) for (const base of c.linearized.slice(1)) bases.add(base);
  return contracts.filter((c) => c.kind === 'contract' && c.name !== '<file>' && !bases.has(c));
}
/**
 * A node covering `contract Name is A, B` up to the opening brace: contract-level findings point
 * at the declaration line instead of spanning the whole contract.
 */
export function contractHead(contract: Contract): Node {
  const [start, end] = contract.node.range ?? [0, 0];
  const text = contract.unit.source.content;
  const brace = text.indexOf('{', start);
  const stop = brace > start && brace <= end ? brace - 1 : start;
  let last = stop;
  while (last > start && /\s/.test(text[last])) last--;
  return { type: 'ContractHead', range: [start, last] };
}
/** Public/external functions of a contract (inherited ones included) that can change state. */
export function entryPoints(analysis: Analysis, contract: Contract): FunctionIR[] {
  return allFunctions(contract).filter(
    (fn) =>
      Boolean(fn.body) &&
      (fn.kind === 'function' || fn.kind === 'receive' || fn.kind === 'fallback') &&
      analysis.isEntryPoint(fn),
  );
}
const reachableCache = new WeakMap<Analysis, Map<FunctionIR, FunctionIR[]>>();
/** `analysis.reachable`, cached. */
export function reachable(analysis: Analysis, fn: FunctionIR): FunctionIR[] {
  let cache = reachableCache.get(analysis);
  if (!cache) {
    cache = new Map();
    reachableCache.set(analysis, cache);
  }
  let out = cache.get(fn);
  if (!out) {
    out = analysis.reachable(fn);
    cache.set(fn, out);
  }
  return out;
}
/** Calls made by `fn` and everything it reaches internally, with the function they sit in. */
export function reachableCalls(analysis: Analysis, fn: FunctionIR): { call: CallSite; fn: FunctionIR }[] {
  return reachable(analysis, fn).flatMap((f) => analysis.facts(f).calls.map((call) => ({ call, fn: f })));
}
/** A contract whose fallback forwards every call to another contract's code. */
export function isDelegatingProxy(analysis: Analysis, contract: Contract): boolean {
  return allFunctions(contract)
    .filter((fn) => fn.kind === 'fallback' || fn.kind === 'receive')
    .some((fn) =>
      reachable(analysis, fn).some(
        (f) =>
          analysis.facts(f).calls.some((c) => c.kind === 'delegatecall') ||
          assemblyCalls(f, new Set(['delegatecall'])).length > 0,
      ),
    );
}

// ---------------------------------------------------------------- value flows
export type ValueMoveKind = 'ether-out' | 'token-out' | 'deposit' | 'ledger';
export type ValueMove = { kind: ValueMoveKind; node: Node; fn: FunctionIR };
const tokenMoves: Record<string, number[]> = {
  transfer: [2],
  transferFrom: [3],
  safeTransfer: [2, 3],
  safeTransferFrom: [3, 4],
  safeTransferETH: [2],
};
/** Ether that leaves through `call`: a literal zero value moves nothing. */
function sendsEther(call: CallSite): boolean {
  if (call.kind === 'send' || call.kind === 'transfer') return true;
  if (call.kind !== 'low-level-call' && call.kind !== 'external') return false;
  if (!call.value) return false;
  return !(call.value.type === 'NumberLiteral' && Number(call.value.number) === 0);
}
/** ERC-20/721 moves (`token.transfer(to, x)`, `SafeERC20.safeTransfer(token, to, x)`, `call(transfer.selector, ...)`). */
export function movesTokens(call: CallSite, fn: FunctionIR, program: Program): boolean {
  if (call.kind === 'external' || call.kind === 'library') {
    const counts = tokenMoves[call.name];
    if (!counts?.includes(call.arguments.length)) return false;
    if (call.name === 'safeTransferETH') return false;
    return dottedName(call.receiver) !== 'this';
  }
  if (call.kind === 'low-level-call') {
    const payload = call.arguments[0];
    const selector = payload ? encodedSelector(payload, fn, program) : undefined;
    return selector === 'transfer' || selector === 'transferFrom';
  }
  return false;
}
const knownSelectors: Record<string, string> = {
  '0xa9059cbb': 'transfer',
  '0x23b872dd': 'transferFrom',
};
/** The function an `abi.encodeWithSelector/WithSignature/Call` payload calls, when it can be told. */
export function encodedSelector(payload: Node, fn: FunctionIR, program: Program): string | undefined {
  if (payload.type !== 'FunctionCall') return undefined;
  const name = dottedName(payload.expression);
  const first = payload.arguments?.[0];
  if (!first) return undefined;
  if (name === 'abi.encodeWithSignature' && first.type === 'StringLiteral') return first.value.split('(')[0];
  if (name === 'abi.encodeCall' && first.type === 'MemberAccess') return first.memberName;
  if (name !== 'abi.encodeWithSelector') return undefined;
  return selectorOf(first, fn, program, 0);
}
function selectorOf(node: Node, fn: FunctionIR, program: Program, depth: number): string | undefined {
  if (depth > 3) return undefined;
  if (node.type === 'MemberAccess' && node.memberName === 'selector' && node.expression?.type === 'MemberAccess')
    return node.expression.memberName;
  if (node.type === 'NumberLiteral' || node.type === 'HexLiteral')
    return knownSelectors[String(node.number ?? node.value).toLowerCase()];
  const text = fn.contract.unit.source.textOf(node);
  const signature = /["']([A-Za-z_]\w*)\(/.exec(text);
  if (signature && /keccak256|sha3/.test(text)) return signature[1];
  const constant = constantValue(node, fn, program);
  return constant ? selectorOf(constant.value, constant.fn, program, depth + 1) : undefined;
}
/** The initialiser of a constant (state or library constant, or a local set once from one). */
export function constantValue(
  node: Node,
  fn: FunctionIR,
  program: Program,
): { value: Node; fn: FunctionIR } | undefined {
  if (node.type === 'Identifier') {
    const state = findStateVariable(fn.contract, node.name);
    if (state?.initialValue && (state.constant || state.immutable)) return { value: state.initialValue, fn };
    const local = fn.body ? findLocalInitialiser(fn, node.name) : undefined;
    if (local) return { value: local, fn };
    return undefined;
  }
  if (node.type === 'MemberAccess' && node.expression?.type === 'Identifier') {
    const owner = program.contract(node.expression.name, fn.contract.unit);
    const state = owner?.stateVariables.find((v) => v.name === node.memberName);
    const ownerFn = owner?.functions[0];
    if (state?.initialValue && state.constant) return { value: state.initialValue, fn: ownerFn ?? fn };
  }
  return undefined;
}
function findLocalInitialiser(fn: FunctionIR, name: string): Node | undefined {
  for (const declaration of findAll(fn.body!, 'VariableDeclarationStatement')) {
    const variables = (declaration.variables ?? []).filter(Boolean);
    if (variables.length === 1 && variables[0].name === name && declaration.initialValue)
      return declaration.initialValue;
  }
  return undefined;
}
/** `mapping(address => uint)`: a balance ledger. */
export function isLedger(variable: StateVariable): boolean {
  const type = variable.type;
  return (
    type.kind === 'mapping' &&
    type.key.kind === 'elementary' &&
    type.key.name === 'address' &&
    type.value.kind === 'elementary' &&
    /^uint\d*$/.test(type.value.name)
  );
}
/** How a write changes a ledger entry: credit (`+=`, `= a + b`), debit (`-=`, `= a - b`, `.sub`). */
export function ledgerDirection(write: Node): 'credit' | 'debit' | 'set' {
  if (write.type === 'UnaryOperation')
    return write.operator === '--' || write.operator === 'delete' ? 'debit' : 'credit';
  if (write.type !== 'BinaryOperation') return 'set';
  if (write.operator === '+=') return 'credit';
  if (write.operator === '-=') return 'debit';
  if (write.operator !== '=') return 'set';
  const right = write.right;
  if (findAll(right, (n) => n.type === 'BinaryOperation' && n.operator === '-').length > 0) return 'debit';
  if (findAll(right, (n) => n.type === 'FunctionCall' && n.expression?.memberName === 'sub').length > 0) return 'debit';
  if (findAll(right, (n) => n.type === 'BinaryOperation' && n.operator === '+').length > 0) return 'credit';
  if (findAll(right, (n) => n.type === 'FunctionCall' && n.expression?.memberName === 'add').length > 0)
    return 'credit';
  return 'set';
}
/** Ledger writes reached from `entry`, by variable, with their direction. */
export function ledgerWrites(
  analysis: Analysis,
  entry: FunctionIR,
): Map<StateVariable, { node: Node; fn: FunctionIR; direction: 'credit' | 'debit' | 'set' }[]> {
  const out = new Map<StateVariable, { node: Node; fn: FunctionIR; direction: 'credit' | 'debit' | 'set' }[]>();
  for (const f of reachable(analysis, entry)) {
    for (const write of analysis.facts(f).stateWrites) {
      if (!isLedger(write.variable)) continue;
      const list = out.get(write.variable) ?? [];
      list.push({ node: write.node, fn: f, direction: ledgerDirection(write.node) });
      out.set(write.variable, list);
    }
  }
  return out;
}
/** Ether that can stay in the contract between transactions: a payable entry that sends none on. */
/** Who receives a move of ether or tokens, when the call names it. */
function recipientOf(call: CallSite): Node | undefined {
  if (call.kind === 'send' || call.kind === 'transfer' || call.kind === 'low-level-call') return call.receiver;
  // `SafeERC20.safeTransfer(token, to, x)` passes the token first; `token.safeTransfer(to, x)` does not.
  if (call.name === 'transfer' || call.name === 'safeTransfer')
    return call.arguments[call.arguments.length === 3 ? 1 : 0];
  if (call.name === 'transferFrom' || call.name === 'safeTransferFrom')
    return call.arguments[call.arguments.length === 4 ? 2 : 1];
  if (call.kind === 'external' && sendsEther(call)) return call.receiver;
  return undefined;
}
const callerSources = (source: string) =>
  source.startsWith('param:') || ['msg.sender', 'tx.origin', 'msg.data', 'user-input'].includes(source);
/**
 * Aragon's transferToVault: a move whose recipient no caller picks (neither the caller nor an
 * argument, but a stored or looked-up address such as a recovery vault or treasury). An exploit
 * cannot send that value to itself, so it is no drain to stop.
 */
export function goesToFixedRecipient(analysis: Analysis, move: ValueMove): boolean {
  if (move.kind !== 'ether-out' && move.kind !== 'token-out') return false;
  const call = analysis.facts(move.fn).calls.find((c) => c.node === move.node);
  const recipient = call && recipientOf(call);
  if (!recipient) return false;
  const sources = analysis.taintOf(recipient, move.fn);
  return ![...sources].some(callerSources);
}
export function acceptsEther(analysis: Analysis, contract: Contract): FunctionIR | undefined {
  return entryPoints(analysis, contract).find(
    (fn) =>
      fn.mutability === 'payable' &&
      !reachableCalls(analysis, fn).some(({ call }) => sendsEther(call)) &&
      assemblyCalls(fn, new Set(['call'])).length === 0,
  );
}
/** What value an entry point moves: ether or tokens out, deposits credited, or its own token ledger. */
export function valueMoves(analysis: Analysis, entry: FunctionIR, holdsEther: boolean): ValueMove[] {
  const out: ValueMove[] = [];
  const program = analysis.program;
  for (const { call, fn } of reachableCalls(analysis, entry)) {
    if (holdsEther && sendsEther(call)) out.push({ kind: 'ether-out', node: call.node, fn });
    else if (movesTokens(call, fn, program)) out.push({ kind: 'token-out', node: call.node, fn });
  }
  for (const [, writes] of ledgerWrites(analysis, entry)) {
    const credit = writes.find((w) => w.direction === 'credit');
    const debit = writes.find((w) => w.direction === 'debit');
    if (entry.mutability === 'payable' && credit) out.push({ kind: 'deposit', node: credit.node, fn: credit.fn });
    else if (credit && debit) out.push({ kind: 'ledger', node: debit.node, fn: debit.fn });
  }
  return out;
}

// ---------------------------------------------------------------- conditions and state they depend on
/** `address(x)`, `payable(x)`, `uint160(x)`, `IFoo(x)`: conversions that keep the value. */
export function isConversion(call: Node, program?: Program): boolean {
  const callee = call.expression;
  if (callee?.type === 'ElementaryTypeName' || callee?.type === 'TypeNameExpression') return true;
  if (callee?.type !== 'Identifier') return false;
  if (elementaryName.test(callee.name)) return true;
  return program?.contracts.some((c) => c.name === callee.name) ?? false;
}
const elementaryName = /^(address|payable|bool|string|bytes\d*|u?int\d*)$/;
export function referencesSender(
  expression: Node,
  fn: FunctionIR,
  analysis: Analysis,
  senderParams?: Set<string>,
): boolean {
  return findAll(
    expression,
    (n) => n.type === 'Identifier' || n.type === 'MemberAccess' || n.type === 'FunctionCall',
  ).some((n) => isSender(analysis, fn, n, senderParams));
}
/** One function on the way from an entry point, with the state each parameter carries. */
export type Frame = {
  fn: FunctionIR;
  params: Map<string, Set<StateVariable>>;
  senderParams: Set<string>;
  /** Parameters whose value comes from the entry point's own arguments. */
  inputParams: Set<string>;
  via: Node | undefined;
};
/**
 * The entry point and what it runs (modifiers, internal and library calls), each once, with
 * parameters bound to the state variables and caller identity the arguments carry.
 */
export function framesOf(analysis: Analysis, entry: FunctionIR, scope?: Contract, maxDepth = 6): Frame[] {
  const root: Frame = {
    fn: entry,
    params: new Map(),
    senderParams: new Set(),
    inputParams: new Set(entry.params.map((p) => p.name)),
    via: undefined,
  };
  const frames: Frame[] = [root];
  const seen = new Set<FunctionIR>([entry]);
  const queue: [Frame, number][] = [[root, 0]];
  while (queue.length > 0) {
    const [frame, depth] = queue.shift()!;
    if (depth >= maxDepth) continue;
    const { fn } = frame;
    const deps = localDependencies(analysis, frame);
    const bind = (target: FunctionIR, args: Node[], via: Node) => {
      if (seen.has(target) || !target.body) return;
      seen.add(target);
      const params = new Map<string, Set<StateVariable>>();
      const senderParams = new Set<string>();
      const inputParams = new Set<string>();
      target.params.forEach((p, i) => {
        const arg = args[i];
        if (!p.name || !arg) return;
        params.set(p.name, expressionDependencies(analysis, frame, deps, arg));
        if (isSender(analysis, fn, arg, frame.senderParams)) senderParams.add(p.name);
        if (fromInput(analysis, frame, arg)) inputParams.add(p.name);
      });
      const next: Frame = { fn: target, params, senderParams, inputParams, via: frame.via ?? via };
      frames.push(next);
      queue.push([next, depth + 1]);
    };
    for (const use of fn.modifiers) {
      const definition = (scope && resolveModifier(scope, use.name)) || use.definition;
      if (definition) bind(definition, use.arguments, use.node);
    }
    for (const call of analysis.facts(fn).calls) {
      if ((call.kind !== 'internal' && call.kind !== 'library') || call.targets.length === 0) continue;
      for (const target of call.targets)
        bind(dispatch(call, target, scope), callArguments(analysis, call, fn), call.node);
    }
  }
  return frames;
}
/**
 * Virtual dispatch: a plain internal call runs the most derived override in the deployed
 * contract (`_authorizeUpgrade` declared abstract in a base, implemented with onlyOwner below).
 */
function dispatch(call: CallSite, target: FunctionIR, scope: Contract | undefined): FunctionIR {
  if (!scope || call.kind !== 'internal' || call.node.expression?.type !== 'Identifier') return target;
  if (!scope.linearized.includes(target.contract)) return target;
  const override = resolveFunctions(scope, target.name, call.arguments.length).find(
    (f) => f.signature === target.signature,
  );
  return override?.body ? override : target;
}
/** True when an expression carries the entry point's arguments (or raw calldata). */
export function fromInput(analysis: Analysis, frame: Frame, expression: Node): boolean {
  return [...analysis.taintOf(expression, frame.fn)].some(
    (s) => s === 'msg.data' || (s.startsWith('param:') && frame.inputParams.has(s.slice(6))),
  );
}
/** Arguments in parameter order: `x.f(y)` through `using L for T` passes x first. */
export function callArguments(analysis: Analysis, call: CallSite, fn: FunctionIR): Node[] {
  const { callee } = unwrapCallee(call.node.expression);
  if (call.kind !== 'library' || callee.type !== 'MemberAccess') return call.arguments;
  const receiverName = dottedName(callee.expression);
  const library = receiverName ? analysis.program.contract(receiverName, fn.contract.unit) : undefined;
  return library?.kind === 'library' ? call.arguments : [callee.expression, ...call.arguments];
}
/** State variables each local of a frame depends on (flow-insensitive). */
function localDependencies(analysis: Analysis, frame: Frame): Map<string, Set<StateVariable>> {
  const deps = new Map<string, Set<StateVariable>>();
  for (const [name, set] of frame.params) deps.set(name, new Set(set));
  if (!frame.fn.body) return deps;
  const assignments: [string[], Node][] = [];
  for (const node of findAll(
    frame.fn.body,
    (n) => n.type === 'VariableDeclarationStatement' || n.type === 'BinaryOperation',
  )) {
    if (node.type === 'VariableDeclarationStatement' && node.initialValue)
      assignments.push([(node.variables ?? []).filter(Boolean).map((v: Node) => v.name), node.initialValue]);
    else if (node.type === 'BinaryOperation' && assignmentOperators.has(node.operator))
      assignments.push([
        assignedBases(node.left)
          .filter((n) => n.type === 'Identifier')
          .map((n) => n.name),
        node.right,
      ]);
  }
  const locals = analysis.facts(frame.fn).locals;
  for (let round = 0; round < 4; round++) {
    let changed = false;
    for (const [names, value] of assignments) {
      const sources = expressionDependencies(analysis, frame, deps, value);
      for (const name of names) {
        if (!locals.has(name)) continue;
        const set = deps.get(name) ?? new Set();
        const before = set.size;
        for (const s of sources) set.add(s);
        deps.set(name, set);
        if (set.size !== before) changed = true;
      }
    }
    if (!changed) break;
  }
  return deps;
}
/** State variables an expression's value depends on: direct reads, locals, parameters, internal getters. */
function expressionDependencies(
  analysis: Analysis,
  frame: Frame,
  deps: Map<string, Set<StateVariable>>,
  expression: Node,
): Set<StateVariable> {
  const out = new Set<StateVariable>();
  const fn = frame.fn;
  const locals = analysis.facts(fn).locals;
  for (const node of findAll(expression, (n) => n.type === 'Identifier' || n.type === 'FunctionCall')) {
    if (node.type === 'Identifier') {
      if (locals.has(node.name)) {
        for (const v of deps.get(node.name) ?? []) out.add(v);
        continue;
      }
      const state = findStateVariable(fn.contract, node.name);
      if (state && !state.constant) out.add(state);
      continue;
    }
    const site = analysis.facts(fn).calls.find((c) => c.node === node);
    if (site && (site.kind === 'internal' || site.kind === 'library')) {
      for (const target of site.targets) {
        if (target.mutability !== 'view' && target.mutability !== 'pure') continue;
        for (const f of analysis.reachable(target))
          for (const read of analysis.facts(f).stateReads) out.add(read.variable);
      }
    }
  }
  return out;
}
/**
 * State variables the conditions on the way through `entry` depend on, leaving out conditions
 * about the caller (access control is not a circuit breaker).
 */
export function conditionDependencies(
  analysis: Analysis,
  entry: FunctionIR,
  scope?: Contract,
): Map<StateVariable, { node: Node; fn: FunctionIR }> {
  const out = new Map<StateVariable, { node: Node; fn: FunctionIR }>();
  for (const frame of framesOf(analysis, entry, scope)) {
    const deps = localDependencies(analysis, frame);
    for (const condition of analysis.facts(frame.fn).conditions) {
      if (referencesSender(condition, frame.fn, analysis, frame.senderParams)) continue;
      for (const variable of expressionDependencies(analysis, frame, deps, condition))
        if (!out.has(variable)) out.set(variable, { node: condition, fn: frame.fn });
    }
  }
  return out;
}

// ---------------------------------------------------------------- who may call: authorities
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
        } else if (node.type === 'FunctionCall' && !isConversion(node)) {
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
 * A condition that stops the caller: a require/assert argument, or an `if` with a revert (or a
 * modifier's `_`) in one branch. A condition that only picks a branch grants nothing.
 */
export function isGuardCondition(condition: Node, parents: Map<Node, Node>): boolean {
  const parent = parents.get(condition);
  if (!parent) return false;
  if (parent.type === 'FunctionCall') {
    const name = parent.expression?.type === 'Identifier' ? parent.expression.name : '';
    return name === 'require' || name === 'assert';
  }
  if (parent.type !== 'IfStatement' || parent.condition !== condition) return false;
  return [parent.trueBody, parent.falseBody].some((body) => body && stops(body));
}
function stops(body: Node): boolean {
  return (
    findAll(
      body,
      (n) =>
        n.type === 'RevertStatement' ||
        n.type === 'ThrowStatement' ||
        n.type === 'PlaceholderStatement' ||
        (n.type === 'ExpressionStatement' && n.expression?.type === 'Identifier' && n.expression.name === '_') ||
        (n.type === 'FunctionCall' && n.expression?.type === 'Identifier' && n.expression.name === 'revert'),
    ).length > 0
  );
}
function dependsOnParameters(analysis: Analysis, expression: Node, fn: FunctionIR): boolean {
  return [...analysis.taintOf(expression, fn)].some((s) => s.startsWith('param:') || s === 'msg.data');
}
function resolveAuthority(
  analysis: Analysis,
  expression: Node,
  fn: FunctionIR,
  depth: number,
): { kind: AuthorityKind; variable?: StateVariable } | undefined {
  let node = expression;
  while (node.type === 'FunctionCall' && isConversion(node, analysis.program) && node.arguments.length === 1)
    node = node.arguments[0];
  if (node.type === 'Identifier' && node.name === 'this') return { kind: 'self' };
  if (depth > 4) return undefined;
  if (node.type === 'Identifier') {
    const facts = analysis.facts(fn);
    if (facts.locals.has(node.name)) {
      const initial = fn.body ? findLocalInitialiser(fn, node.name) : undefined;
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
  let node = value;
  while (node.type === 'FunctionCall' && isConversion(node) && node.arguments.length === 1) node = node.arguments[0];
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

// ---------------------------------------------------------------- upgrades
const eip1967Slots = new Set([
  '0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc', // implementation
  '0xa3f0ad74e5423aebfd80d3ef4346578335a9a72aeaee59ff6cb3582b35133d50', // beacon
  '0x7050c9e0f4ca769c69bd3a8ef740bc37934f8e2c036e5a723fd8ee048ed3f8c3', // zos implementation
]);
/** A slot expression naming the EIP-1967 implementation or beacon slot. */
function isImplementationSlot(node: Node, fn: FunctionIR, program: Program, depth = 0): boolean {
  if (depth > 3) return false;
  const text = fn.contract.unit.source.textOf(node).toLowerCase();
  if ([...eip1967Slots].some((slot) => text.includes(slot))) return true;
  if (/eip1967\.proxy\.(implementation|beacon)|org\.zeppelinos\.proxy\.implementation/.test(text)) return true;
  let name: Node | undefined = node;
  if (node.type === 'AssemblyCall' && node.arguments.length === 0)
    name = { type: 'Identifier', name: node.functionName };
  if (node.type === 'AssemblyMemberAccess') return false;
  const constant = name ? constantValue(name, fn, program) : undefined;
  return constant ? isImplementationSlot(constant.value, constant.fn, program, depth + 1) : false;
}
/** State variables used as a delegatecall target in the contract (directly or through a getter). */
export function implementationVariables(analysis: Analysis, contract: Contract): Set<StateVariable> {
  const out = new Set<StateVariable>();
  for (const c of contract.linearized) {
    for (const fn of c.functions) {
      for (const call of analysis.facts(fn).calls) {
        if (call.kind !== 'delegatecall' || !call.receiver) continue;
        const resolved = resolveAuthority(analysis, call.receiver, fn, 0);
        if (resolved?.variable) out.add(resolved.variable);
      }
      for (const op of assemblyCalls(fn, new Set(['delegatecall']))) {
        const target = op.arguments?.[1];
        if (target?.type === 'AssemblyCall' && target.arguments.length === 0) {
          const resolved = resolveAuthority(analysis, { type: 'Identifier', name: target.functionName }, fn, 0);
          if (resolved?.variable) out.add(resolved.variable);
        }
      }
      // IBeacon.implementation(): the address beacon proxies delegate to.
      if (
        fn.name === 'implementation' &&
        fn.params.length === 0 &&
        (fn.visibility === 'external' || fn.visibility === 'public')
      ) {
        for (const r of findAll(fn.body ?? { type: 'Block' }, 'ReturnStatement')) {
          if (!r.expression) continue;
          const resolved = resolveAuthority(analysis, r.expression, fn, 0);
          if (resolved?.variable) out.add(resolved.variable);
        }
      }
    }
  }
  for (const v of allStateVariables(contract)) {
    if (v.visibility === 'public' && v.name === 'implementation' && v.type.kind === 'elementary') out.add(v);
  }
  return out;
}
/** Where `fn` itself replaces the code a proxy runs: EIP-1967 slot stores, or an implementation variable. */
export function upgradeWrites(analysis: Analysis, fn: FunctionIR, implementations: Set<StateVariable>): Node[] {
  const out: Node[] = [];
  const program = analysis.program;
  for (const op of assemblyCalls(fn, new Set(['sstore']))) {
    if (op.arguments?.[0] && isImplementationSlot(op.arguments[0], fn, program)) out.push(op);
  }
  if (fn.body) {
    for (const assignment of findAll(fn.body, (n) => n.type === 'BinaryOperation' && n.operator === '=')) {
      const left = assignment.left;
      if (left?.type !== 'MemberAccess' || left.memberName !== 'value' || left.expression?.type !== 'FunctionCall')
        continue;
      const slot = left.expression.arguments?.[0];
      if (slot && isImplementationSlot(slot, fn, program)) out.push(assignment);
    }
  }
  for (const write of analysis.facts(fn).stateWrites) if (implementations.has(write.variable)) out.push(write.node);
  return out;
}
/** The upgrade an entry point can perform: its own slot write, or a call to a proxy's upgradeTo. */
export function upgradePower(
  analysis: Analysis,
  entry: FunctionIR,
  implementations: Set<StateVariable>,
  scope?: Contract,
): { node: Node; fn: FunctionIR; external: boolean } | undefined {
  for (const frame of framesOf(analysis, entry, scope)) {
    const writes = upgradeWrites(analysis, frame.fn, implementations);
    if (writes.length > 0) return { node: frame.via ?? writes[0], fn: entry, external: false };
  }
  for (const { call, fn } of reachableCalls(analysis, entry)) {
    if (call.kind === 'external' && (call.name === 'upgradeTo' || call.name === 'upgradeToAndCall'))
      return { node: call.node, fn, external: true };
  }
  return undefined;
}

// ---------------------------------------------------------------- events
/** True when `fn` or anything it reaches emits an event (0.4 calls, `emit`, assembly logs). */
export function emitsEvent(analysis: Analysis, fn: FunctionIR): boolean {
  return reachable(analysis, fn).some(
    (f) =>
      Boolean(f.body && findAll(f.body, 'EmitStatement').length > 0) ||
      analysis.facts(f).calls.some((c) => c.kind === 'event') ||
      assemblyCalls(f, new Set(['log0', 'log1', 'log2', 'log3', 'log4'])).length > 0,
  );
}
export function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
/** The root state variable of an assignment target. */
export function writtenRoot(fn: FunctionIR, target: Node): StateVariable | undefined {
  const base = assignedBases(target)[0];
  return base?.type === 'Identifier' ? findStateVariable(fn.contract, base.name) : undefined;
}

// ---------------------------------------------------------------- contract profile
export type ContractProfile = {
  contract: Contract;
  entries: FunctionIR[];
  /** Entry points behind a caller check or a signature. */
  guarded: Set<FunctionIR>;
  /** Some guarded entry answers to an account rather than to another contract. */
  humanAdmin: boolean;
  /** A payable entry that keeps the ether it receives. */
  etherSink: FunctionIR | undefined;
  /** Value moved by entry points anyone can call. */
  publicMoves: Map<FunctionIR, ValueMove[]>;
  /** State written by guarded entry points and by open ones. */
  adminWritten: Set<StateVariable>;
  openWritten: Set<StateVariable>;
  /** Admin-controlled state that a condition on a public value-moving path depends on. */
  gates: Map<StateVariable, { node: Node; fn: FunctionIR }>;
  /** Conditions on a public value-moving path that ask another contract (a controller). */
  externalGates: { node: Node; fn: FunctionIR }[];
  implementations: Set<StateVariable>;
};
const profileCache = new WeakMap<Analysis, Map<Contract, ContractProfile>>();
const tokenViews = new Set(['balanceOf', 'allowance', 'totalSupply', 'decimals', 'ownerOf', 'getApproved']);
export function profileOf(analysis: Analysis, contract: Contract): ContractProfile {
  let cache = profileCache.get(analysis);
  if (!cache) {
    cache = new Map();
    profileCache.set(analysis, cache);
  }
  const cached = cache.get(contract);
  if (cached) return cached;
  const entries = entryPoints(analysis, contract);
  const guarded = new Set(entries.filter((fn) => isGuarded(analysis, fn)));
  const etherSink = acceptsEther(analysis, contract);
  const publicMoves = new Map<FunctionIR, ValueMove[]>();
  for (const entry of entries) {
    if (guarded.has(entry) || isOneShot(analysis, contract, entry)) continue;
    const moves = valueMoves(analysis, entry, Boolean(etherSink));
    if (moves.length > 0) publicMoves.set(entry, moves);
  }
  const adminWritten = new Set<StateVariable>();
  const openWritten = new Set<StateVariable>();
  for (const entry of entries) {
    for (const v of analysis.writesState(entry)) (guarded.has(entry) ? adminWritten : openWritten).add(v);
  }
  const gates = new Map<StateVariable, { node: Node; fn: FunctionIR }>();
  const externalGates: { node: Node; fn: FunctionIR }[] = [];
  for (const entry of publicMoves.keys()) {
    for (const [variable, at] of conditionDependencies(analysis, entry, contract)) {
      if (!adminWritten.has(variable) || openWritten.has(variable) || variable.constant) continue;
      if (!isMappingOrScalarFlag(variable)) continue;
      if (!gates.has(variable)) gates.set(variable, at);
    }
    for (const frame of framesOf(analysis, entry, contract)) {
      const facts = analysis.facts(frame.fn);
      for (const condition of facts.conditions) {
        if (referencesSender(condition, frame.fn, analysis, frame.senderParams)) continue;
        const asks = facts.calls.some(
          (c) =>
            c.kind === 'external' &&
            !tokenViews.has(c.name) &&
            !movesTokens(c, frame.fn, analysis.program) &&
            within(c.node, condition) &&
            c.receiver !== undefined &&
            [...analysis.taintOf(c.receiver, frame.fn)].some((s) => s.startsWith('state:')),
        );
        if (asks) externalGates.push({ node: condition, fn: frame.fn });
      }
    }
  }
  const humanAdmin = [...guarded].some(
    (entry) =>
      hasUnresolvedGuardModifier(entry) ||
      authoritiesOf(analysis, entry, contract).some((a) => a.kind !== 'contract' && a.kind !== 'self'),
  );
  const profile: ContractProfile = {
    contract,
    entries,
    guarded,
    humanAdmin,
    etherSink,
    publicMoves,
    adminWritten,
    openWritten,
    gates,
    externalGates,
    implementations: implementationVariables(analysis, contract),
  };
  cache.set(contract, profile);
  return profile;
}
/**
 * Value that other people put in: `deposits` when a payable entry keeps ether, open entries credit
 * deposits or pull tokens in with transferFrom; `credited` when that value is booked to whoever
 * paid it (not ether a contract merely accepts); `balances` when open entries move a token ledger.
 * A contract with neither (NoOwner, a destructible helper) risks only its owner's own funds.
 */
export function othersValue(
  analysis: Analysis,
  profile: ContractProfile,
): { deposits: boolean; credited: boolean; balances: boolean } {
  const kinds = new Set([...profile.publicMoves.values()].flatMap((moves) => moves.map((m) => m.kind)));
  // Tokens pulled in from another contract; a token's own `transferFrom` (or `super.transferFrom`) moves its ledger.
  const pulls = profile.entries.some(
    (entry) =>
      !profile.guarded.has(entry) &&
      reachableCalls(analysis, entry).some(
        ({ call }) => call.kind !== 'internal' && (call.name === 'transferFrom' || call.name === 'safeTransferFrom'),
      ),
  );
  const credited = kinds.has('deposit') || pulls;
  return { deposits: Boolean(profile.etherSink) || credited, credited, balances: kinds.has('ledger') };
}
/** Scalars (bool, enum, integers) and mappings can gate; an address variable is an authority, not a switch. */
function isMappingOrScalarFlag(variable: StateVariable): boolean {
  const type = variable.type;
  if (type.kind === 'mapping') return true;
  if (type.kind === 'elementary')
    return type.name === 'bool' || /^u?int\d*$/.test(type.name) || /^bytes\d+$/.test(type.name);
  return false;
}
function within(node: Node, container: Node): boolean {
  const [s, e] = node.range ?? [0, -1];
  const [cs, ce] = container.range ?? [0, -1];
  return s >= cs && e <= ce;
}
export type CircuitBreaker =
  | { kind: 'flag'; variable: StateVariable; node: Node; fn: FunctionIR }
  | { kind: 'controller'; node: Node; fn: FunctionIR }
  | { kind: 'selfdestruct'; node: Node; fn: FunctionIR }
  | { kind: 'upgrade'; node: Node; fn: FunctionIR };
/** How the contract can be stopped: a switch an admin sets, a controller, a protected selfdestruct or upgrade. */
export function circuitBreaker(analysis: Analysis, profile: ContractProfile): CircuitBreaker | undefined {
  for (const [variable, at] of profile.gates) return { kind: 'flag', variable, ...at };
  if (profile.externalGates.length > 0) return { kind: 'controller', ...profile.externalGates[0] };
  for (const entry of profile.guarded) {
    for (const { call, fn } of reachableCalls(analysis, entry)) {
      if (call.kind === 'selfdestruct') return { kind: 'selfdestruct', node: call.node, fn };
    }
    const upgrade = upgradePower(analysis, entry, profile.implementations, profile.contract);
    if (upgrade && !upgrade.external) return { kind: 'upgrade', node: upgrade.node, fn: entry };
  }
  return undefined;
}
/**
 * An initialiser anyone may call once: it requires a stored value to be unset and sets it, and
 * nothing ever clears it again (Safe's `setup`, `initialize` without a modifier).
 */
export function isOneShot(analysis: Analysis, contract: Contract, entry: FunctionIR): boolean {
  const written = analysis.writesState(entry);
  for (const frame of framesOf(analysis, entry, contract)) {
    for (const condition of analysis.facts(frame.fn).conditions) {
      for (const variable of unsetTests(condition, frame.fn)) {
        if (!written.has(variable) || variable.type.kind === 'mapping' || variable.type.kind === 'array') continue;
        if (!clearedAnywhere(analysis, contract, variable)) return true;
      }
    }
  }
  return false;
}
/** State variables a condition requires to be zero, false or address(0). */
function unsetTests(condition: Node, fn: FunctionIR): StateVariable[] {
  const out: StateVariable[] = [];
  const stateOf = (n: Node) => (n.type === 'Identifier' ? findStateVariable(fn.contract, n.name) : undefined);
  for (const node of findAll(condition, (n) => n.type === 'BinaryOperation' || n.type === 'UnaryOperation')) {
    if (node.type === 'UnaryOperation' && node.operator === '!') {
      const v = stateOf(node.subExpression);
      if (v) out.push(v);
    } else if (node.type === 'BinaryOperation' && node.operator === '==') {
      if (isZero(node.right)) {
        const v = stateOf(node.left);
        if (v) out.push(v);
      } else if (isZero(node.left)) {
        const v = stateOf(node.right);
        if (v) out.push(v);
      }
    }
  }
  return out;
}
export function isZero(node: Node | undefined): boolean {
  if (!node) return false;
  if (node.type === 'NumberLiteral') return isLiteralZero(node);
  if (node.type === 'BooleanLiteral') return node.value === false;
  if (node.type === 'FunctionCall' && isConversion(node) && node.arguments.length === 1)
    return isZero(node.arguments[0]);
  return false;
}
function clearedAnywhere(analysis: Analysis, contract: Contract, variable: StateVariable): boolean {
  for (const c of contract.linearized) {
    for (const fn of [...c.functions, ...c.modifiers]) {
      for (const write of analysis.facts(fn).stateWrites) {
        if (write.variable !== variable) continue;
        const node = write.node;
        if (node.type === 'UnaryOperation' && (node.operator === 'delete' || node.operator === '--')) return true;
        if (node.type === 'BinaryOperation' && (node.operator === '-=' || isZero(node.right))) return true;
        if (
          node.type === 'BinaryOperation' &&
          node.operator === '=' &&
          node.right.type !== 'BooleanLiteral' &&
          variable.type.kind === 'elementary' &&
          variable.type.name === 'bool'
        )
          return true;
      }
    }
  }
  return false;
}
/** `receive`, `fallback` or the function's name. */
export function displayName(fn: FunctionIR): string {
  if (fn.kind === 'receive') return 'receive';
  if (fn.kind === 'fallback') return 'fallback';
  return fn.name;
}

// ---------------------------------------------------------------- privileged powers
export type PowerKind = 'funds' | 'upgrade' | 'call' | 'mint' | 'burn' | 'selfdestruct' | 'pause' | 'admin' | 'config';
export type Power = {
  kind: PowerKind;
  node: Node;
  fn: FunctionIR;
  variable?: StateVariable | undefined;
  /** An upgrade of another contract (a proxy's `upgradeTo` called from here). */
  external?: boolean;
};
export const criticalPowers = new Set<PowerKind>(['funds', 'upgrade', 'call', 'mint', 'burn', 'selfdestruct', 'pause']);
export const powerLabel: Record<PowerKind, string> = {
  funds: 'move funds',
  upgrade: 'upgrade the code',
  call: 'make arbitrary calls',
  mint: 'mint',
  burn: "burn or seize others' balances",
  selfdestruct: 'destroy the contract',
  pause: 'pause or gate value flows',
  admin: 'hand over control',
  config: 'change settings',
};
/** Address variables (and slots) any entry point of the contract checks the caller against. */
export function authorityVariables(analysis: Analysis, profile: ContractProfile): Set<StateVariable> {
  const out = new Set<StateVariable>();
  for (const entry of profile.entries)
    for (const a of authoritiesOf(analysis, entry, profile.contract))
      if (a.variable && a.kind !== 'role') out.add(a.variable);
  return out;
}
/**
 * An escrow's `withdraw(payee)`: `deposits[payee] = 0; payee.transfer(payment)`. The payment goes
 * to the account whose own ledger entry the same call settles, so the key holder can only pay
 * people what they are owed, not take it (also through `payee.sendValue(payment)` one call down).
 */
function paysOwnEntry(analysis: Analysis, frames: Frame[], frame: Frame, call: CallSite): boolean {
  let recipient = recipientOf(call);
  while (recipient?.type === 'FunctionCall' && isConversion(recipient) && recipient.arguments.length === 1)
    recipient = recipient.arguments[0];
  if (!recipient) return false;
  if (settlesEntryOf(analysis, frame.fn, recipient)) return true;
  // A parameter (`Address.sendValue(payee, x)`): the settled entry is in the caller one frame up.
  const index = recipient.type === 'Identifier' ? frame.fn.params.findIndex((p) => p.name === recipient!.name) : -1;
  if (index < 0) return false;
  for (const caller of frames) {
    const site = analysis.facts(caller.fn).calls.find((c) => c.targets.includes(frame.fn));
    if (!site) continue;
    const bound = site.receiver !== undefined && frame.fn.params.length === site.arguments.length + 1;
    const argument = (bound ? [site.receiver!, ...site.arguments] : site.arguments)[index];
    return argument !== undefined && settlesEntryOf(analysis, caller.fn, argument);
  }
  return false;
}
/** `fn` writes a ledger entry keyed by `account` (`deposits[payee] = 0`). */
function settlesEntryOf(analysis: Analysis, fn: FunctionIR, account: Node): boolean {
  const key = sourceText(fn, account).replace(/\s+/g, '');
  return analysis.facts(fn).stateWrites.some((write) => {
    if (!isLedger(write.variable)) return false;
    const target = write.node.type === 'BinaryOperation' ? write.node.left : write.node.subExpression;
    return target?.type === 'IndexAccess' && sourceText(fn, target.index).replace(/\s+/g, '') === key;
  });
}
/** What a privileged entry point can do. */
export function powersOf(analysis: Analysis, profile: ContractProfile, entry: FunctionIR): Power[] {
  const out: Power[] = [];
  const program = analysis.program;
  const frames = framesOf(analysis, entry, profile.contract);
  for (const frame of frames) {
    const fn = frame.fn;
    for (const call of analysis.facts(fn).calls) {
      const at = frame.via ?? call.node;
      if (call.kind === 'selfdestruct') out.push({ kind: 'selfdestruct', node: at, fn });
      else if (sendsEther(call) && dottedName(call.value) !== 'msg.value') {
        if (!paysOwnEntry(analysis, frames, frame, call)) out.push({ kind: 'funds', node: at, fn });
      } else if (movesTokens(call, fn, program)) {
        const pulls =
          (call.name === 'transferFrom' || call.name === 'safeTransferFrom') &&
          callArguments(analysis, call, fn).some((a) => isSender(analysis, fn, a, frame.senderParams) || isSelf(a));
        if (!pulls) out.push({ kind: 'funds', node: at, fn });
      } else if (call.kind === 'external' && call.name === 'mint') out.push({ kind: 'mint', node: at, fn });
      if (
        (call.kind === 'low-level-call' || call.kind === 'delegatecall') &&
        call.receiver &&
        fromInput(analysis, frame, call.receiver) &&
        call.arguments[0] &&
        fromInput(analysis, frame, call.arguments[0])
      )
        out.push({ kind: 'call', node: at, fn });
    }
    for (const op of assemblyCalls(fn, new Set(['selfdestruct'])))
      out.push({ kind: 'selfdestruct', node: frame.via ?? op, fn });
  }
  const upgrade = upgradePower(analysis, entry, profile.implementations, profile.contract);
  if (upgrade) out.push({ kind: 'upgrade', node: upgrade.node, fn: upgrade.fn, external: upgrade.external });
  if (entry.mutability !== 'payable') {
    for (const [variable, writes] of ledgerWrites(analysis, entry)) {
      const credit = writes.find((w) => w.direction === 'credit');
      const debit = writes.find((w) => w.direction === 'debit');
      if (credit && !debit)
        out.push({ kind: 'mint', node: viaOf(frames, credit.fn) ?? credit.node, fn: credit.fn, variable });
      if (debit && !credit)
        out.push({ kind: 'burn', node: viaOf(frames, debit.fn) ?? debit.node, fn: debit.fn, variable });
    }
  }
  const authorities = authorityVariables(analysis, profile);
  for (const frame of frames) {
    for (const write of analysis.facts(frame.fn).stateWrites) {
      const at = frame.via ?? write.node;
      const variable = write.variable;
      if (profile.gates.has(variable)) out.push({ kind: 'pause', node: at, fn: frame.fn, variable });
      else if (authorities.has(variable)) out.push({ kind: 'admin', node: at, fn: frame.fn, variable });
      else if (!isLedger(variable) && !profile.implementations.has(variable))
        out.push({ kind: 'config', node: at, fn: frame.fn, variable });
    }
  }
  return out;
}
function viaOf(frames: Frame[], fn: FunctionIR): Node | undefined {
  return frames.find((f) => f.fn === fn)?.via;
}
function isSelf(node: Node): boolean {
  let n = node;
  while (n.type === 'FunctionCall' && n.arguments?.length === 1 && n.expression?.type === 'Identifier')
    n = n.arguments[0];
  return n.type === 'Identifier' && n.name === 'this';
}
