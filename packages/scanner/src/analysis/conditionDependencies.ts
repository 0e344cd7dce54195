import {
  type Analysis,
  assignedBases,
  assignmentOperators,
  type CallSite,
  type Contract,
  dottedName,
  type FunctionIR,
  findAll,
  findStateVariable,
  type Node,
  type StateVariable,
  unwrapCallee,
} from '@bulwark/solidity';
import { walkFrames } from './frames.ts';
import { isSender } from './guards.ts';

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
  // A caller's local dependencies, computed once for all its callees.
  const dependencies = new Map<Frame, Map<string, Set<StateVariable>>>();
  return walkFrames(
    analysis,
    root,
    (frame, target, args, via) => {
      let deps = dependencies.get(frame);
      if (!deps) {
        deps = localDependencies(analysis, frame);
        dependencies.set(frame, deps);
      }
      const params = new Map<string, Set<StateVariable>>();
      const senderParams = new Set<string>();
      const inputParams = new Set<string>();
      target.params.forEach((p, i) => {
        const arg = args[i];
        if (!p.name || !arg) return;
        params.set(p.name, expressionDependencies(analysis, frame, deps, arg));
        if (isSender(analysis, frame.fn, arg, frame.senderParams)) senderParams.add(p.name);
        if (fromInput(analysis, frame, arg)) inputParams.add(p.name);
      });
      return { fn: target, params, senderParams, inputParams, via: frame.via ?? via };
    },
    { maxDepth, scope },
  );
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
