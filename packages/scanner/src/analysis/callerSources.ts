import {
  type Analysis,
  type FunctionIR,
  findAll,
  findStateVariable,
  type Node,
  type TaintSource,
  withoutConversions,
} from '@bulwark/solidity';

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
  let current = withoutConversions(expression, { analysis, fn });
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
