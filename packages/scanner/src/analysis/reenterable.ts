import { type Analysis, allFunctions, type FunctionIR, type Node, type StateVariable } from '@bulwark/solidity';
import { writesBefore } from './callAccesses.ts';
import { type Access, type CallContext, classifyCall } from './callClasses.ts';
import { isGuarded } from './guards.ts';
import {
  argumentFor,
  holderAt,
  pathIsUserControlled,
  receiverIsUserControlled,
  userControlledState,
  valueOrigins,
} from './valueOrigins.ts';

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
