import {
  type Analysis,
  type CallSite,
  type Contract,
  type FunctionIR,
  type Node,
  qualifiedName,
} from '@bulwark/solidity';
import { type Access, type CallContext, type ChainLink, classifyCall } from './callClasses.ts';

/** Internal calls followed from an entry point to an outgoing call. */
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
    // A modifier's body runs as part of the function it decorates: its calls sit at the same level.
    for (const use of fn.modifiers) {
      const modifier = use.definition;
      if (!modifier?.body || visits.has(modifier)) continue;
      visits.set(modifier, maxPathsPerCallee);
      visit(modifier, chain);
    }
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
export function levels(context: CallContext): { fn: FunctionIR; site: CallSite }[] {
  const out = [{ fn: context.fn, site: context.call }];
  for (let i = context.chain.length - 1; i >= 0; i--) out.push(context.chain[i]);
  return out;
}
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
