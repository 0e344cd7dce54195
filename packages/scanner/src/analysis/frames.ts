import {
  type Analysis,
  type CallSite,
  type Contract,
  dottedName,
  type FunctionIR,
  type Node,
  resolveFunctions,
  resolveModifier,
  type TaintSource,
} from '@bulwark/solidity';

/**
 * The one walk from an entry point through what it runs: its modifiers, then internal and library
 * calls, transitively, each function once, breadth-first up to `maxDepth` calls deep. `enter`
 * makes a callee's frame from its caller's and the arguments passed. With `scope` (the deployed
 * contract), modifiers and plain internal calls resolve to its most derived overrides.
 */
export function walkFrames<F extends { fn: FunctionIR }>(
  analysis: Analysis,
  root: F,
  enter: (caller: F, target: FunctionIR, args: Node[], via: Node) => F,
  options: { maxDepth: number; scope?: Contract | undefined },
): F[] {
  const { maxDepth, scope } = options;
  const frames: F[] = [root];
  const seen = new Set<FunctionIR>([root.fn]);
  const queue: [F, number][] = [[root, 0]];
  while (queue.length > 0) {
    const [frame, depth] = queue.shift()!;
    if (depth >= maxDepth) continue;
    const visit = (target: FunctionIR, args: Node[], via: Node) => {
      if (seen.has(target) || !target.body) return;
      seen.add(target);
      const next = enter(frame, target, args, via);
      frames.push(next);
      queue.push([next, depth + 1]);
    };
    for (const use of frame.fn.modifiers) {
      const definition = (scope && resolveModifier(scope, use.name)) || use.definition;
      if (definition) visit(definition, use.arguments, use.node);
    }
    for (const call of analysis.facts(frame.fn).calls) {
      if (call.kind !== 'internal' && call.kind !== 'library') continue;
      for (const target of call.targets) visit(dispatch(call, target, scope), argumentsFor(call, target), call.node);
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
  return walkFrames(
    analysis,
    root,
    (frame, target, args, via) => {
      const bindings = new Map<string, Set<TaintSource>>();
      const argumentsOf = new Map<string, { node: Node; frame: Frame }>();
      target.params.forEach((p, i) => {
        if (!p.name) return;
        bindings.set(p.name, args[i] ? sourcesOf(analysis, frame, args[i]) : new Set());
        if (args[i]) argumentsOf.set(p.name, { node: args[i], frame });
      });
      return { fn: target, bindings, argumentsOf, via: frame.via ?? via, depth: frame.depth + 1 };
    },
    { maxDepth },
  );
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
