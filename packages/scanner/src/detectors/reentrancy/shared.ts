import type { Analysis, CallSite, FunctionIR, Node, StateVariable } from '@bulwark/solidity';

export type LaterWrite = { variable: StateVariable; node: Node; fn: FunctionIR };

/**
 * State writes that can run after `call` in `fn`: later statements on some CFG path (loops
 * included), later parts of the same statement, and writes inside internal functions called
 * afterwards. Writes to local storage pointers count.
 */
export function stateWritesAfter(analysis: Analysis, fn: FunctionIR, call: CallSite): LaterWrite[] {
  const facts = analysis.facts(fn);
  if (!call.statement) return [];
  const later = analysis.after(call.statement);
  const callEnd = call.node.range?.[1] ?? 0;
  const out: LaterWrite[] = [];
  for (const write of facts.stateWrites) {
    const sameStatement = write.statement === call.statement && (write.node.range?.[0] ?? 0) > callEnd;
    if (sameStatement || (write.statement && later.has(write.statement))) out.push({ ...write, fn });
  }
  for (const other of facts.calls) {
    if (other === call || (other.kind !== 'internal' && other.kind !== 'library')) continue;
    const runsLater =
      (other.statement && later.has(other.statement)) ||
      (other.statement === call.statement && (other.node.range?.[0] ?? 0) > callEnd);
    if (!runsLater) continue;
    for (const target of other.targets) {
      for (const variable of analysis.writesState(target)) out.push({ variable, node: other.node, fn });
    }
  }
  // Modifier code after `_` runs after the body too.
  for (const use of fn.modifiers) {
    const definition = use.definition;
    if (!definition) continue;
    const modifierFacts = analysis.facts(definition);
    const placeholder = modifierFacts.cfg.nodes.find((n) => n.kind === 'placeholder');
    if (!placeholder) continue;
    const afterBody = analysis.after(placeholder);
    for (const write of modifierFacts.stateWrites) {
      if (write.statement && afterBody.has(write.statement)) out.push({ ...write, fn: definition });
    }
  }
  return out;
}
