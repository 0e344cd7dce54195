import { type Analysis, type FunctionIR, type Node, qualifiedName, type SourceUnit } from '@bulwark/solidity';
import type { FindingDraft } from '../detector.ts';
import type { CallContext } from './callClasses.ts';
import { isExternallyCallable } from './entryPoints.ts';
import { framesOf } from './frames.ts';
import { isGuarded } from './guards.ts';

/** An entry point that runs a helper, and the call (or modifier use) in the entry that leads there. */
export type Exposure = { entry: FunctionIR; via: Node };

/** Where a finding is reported: the place in an entry point a reviewer must look at, and the places behind it. */
export type Placement = {
  node: Node;
  fn: FunctionIR;
  unit: SourceUnit;
  related: { node: Node; unit: SourceUnit; message: string }[];
};

const exposureCache = new WeakMap<FunctionIR[], Map<FunctionIR, Exposure[]>>();

/**
 * The entry points among `functions` that reach `fn` through internal calls or modifiers,
 * unguarded ones first (a guard on the entry point is a guard on the helper too).
 */
export function exposuresOf(analysis: Analysis, functions: FunctionIR[], fn: FunctionIR): Exposure[] {
  let byHelper = exposureCache.get(functions);
  if (!byHelper) {
    byHelper = new Map();
    exposureCache.set(functions, byHelper);
    const entries = functions.filter(isExternallyCallable);
    const ordered = [
      ...entries.filter((e) => !isGuarded(analysis, e)),
      ...entries.filter((e) => isGuarded(analysis, e)),
    ];
    for (const entry of ordered) {
      for (const frame of framesOf(analysis, entry)) {
        if (!frame.via || frame.fn === entry) continue;
        const list = byHelper.get(frame.fn) ?? [];
        list.push({ entry, via: frame.via });
        byHelper.set(frame.fn, list);
      }
    }
  }
  return byHelper.get(fn) ?? [];
}

/**
 * A finding at `node` in an internal helper belongs to the entry point that exposes it: placed at
 * the entry's call to the helper, with the helper's own place (and up to two more entry points)
 * as related locations. One finding per bug: an entry point, a modifier or an unreached helper
 * keeps the finding where it is.
 */
export function placeAtEntry(
  analysis: Analysis,
  functions: FunctionIR[],
  fn: FunctionIR,
  node: Node,
  what: string,
): Placement {
  const here: Placement = { node, fn, unit: fn.contract.unit, related: [] };
  if (fn.kind === 'modifier' || isExternallyCallable(fn)) return here;
  const [first, ...others] = exposuresOf(analysis, functions, fn);
  if (!first) return here;
  return {
    node: first.via,
    fn: first.entry,
    unit: first.entry.contract.unit,
    related: [
      { node, unit: fn.contract.unit, message: `${what} in ${qualifiedName(fn)}` },
      ...others.slice(0, 2).map((other) => ({
        node: other.via,
        unit: other.entry.contract.unit,
        message: `also reached from ${qualifiedName(other.entry)}`,
      })),
    ],
  };
}

/**
 * One finding per outgoing call: of the contexts that reach one call (from several entry points,
 * or along several paths), the one with the shortest path, placed at its entry point's first
 * internal call; the other entry points become related locations.
 */
export function placeContexts<T extends { context: CallContext }>(
  found: T[],
  what: string,
): (T & { placement: Placement })[] {
  const byCall = new Map<Node, T[]>();
  for (const item of found) {
    const list = byCall.get(item.context.call.node) ?? [];
    list.push(item);
    byCall.set(item.context.call.node, list);
  }
  const out: (T & { placement: Placement })[] = [];
  for (const items of byCall.values()) {
    const [chosen, ...rest] = [...items].sort((a, b) => a.context.chain.length - b.context.chain.length);
    const { context } = chosen;
    const others = [...new Set(rest.map((r) => r.context.entry))].filter((e) => e !== context.entry);
    const otherRelated = others.slice(0, 2).flatMap((entry) => {
      const via = rest.find((r) => r.context.entry === entry)?.context.chain[0]?.site.node;
      return via
        ? [{ node: via, unit: entry.contract.unit, message: `also reached from ${qualifiedName(entry)}` }]
        : [];
    });
    const placement: Placement =
      context.chain.length === 0
        ? { node: context.call.node, fn: context.fn, unit: context.fn.contract.unit, related: otherRelated }
        : {
            node: context.chain[0].site.node,
            fn: context.entry,
            unit: context.entry.contract.unit,
            related: [
              {
                node: context.call.node,
                unit: context.fn.contract.unit,
                message: `${what} in ${qualifiedName(context.fn)}`,
              },
              ...otherRelated,
            ],
          };
    out.push({ ...chosen, placement });
  }
  return out;
}

/** " It is reached from X.f." when the placement moved the finding to an entry point. */
export function reachedFrom(placement: Placement, original: FunctionIR): string {
  return placement.fn === original ? '' : ` It is reached from ${qualifiedName(placement.fn)}.`;
}

/** A finding on a call as reached from one entry point, before it is placed (see placeContexts). */
export type ContextFinding = { context: CallContext; draft: Omit<FindingDraft, 'node' | 'fn'> };

/** Reports each call's finding once, placed by placeContexts, after the detector has seen every entry point. */
export function reportPlaced(found: ContextFinding[], report: (draft: FindingDraft) => void, what = 'the call'): void {
  for (const { draft, placement } of placeContexts(found, what)) {
    report({
      ...draft,
      node: placement.node,
      fn: placement.fn,
      unit: placement.unit,
      related: [...placement.related, ...(draft.related ?? [])],
    });
  }
}
