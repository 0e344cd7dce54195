import {
  type Analysis,
  admitsCompilerBelow,
  assignmentOperators,
  type CallSite,
  dottedName,
  type FunctionIR,
  findAll,
  type Node,
  qualifiedName,
} from '@bulwark/solidity';
import { isStaticCall } from '../../analysis/callClasses.ts';
import { shortSourceText } from '../../analysis/sourceText.ts';
import { defineDetector } from '../../detector.ts';

export const assertStateChange = defineDetector({
  id: 'assert-state-change',
  category: 'misc',
  title: 'assert() changes state or validates input',
  impact: 'low',
  confidence: 'high',
  description:
    "assert() is for invariants that can never fail. Here its expression changes state (an assignment, increment, or a call to a state-changing function; before solc 0.5 a call to a view function too, since it is a plain CALL rather than a STATICCALL), or it checks the caller's input, which require() should do.",
  scenario:
    'A maintainer (or an optimiser, or a formal tool that assumes asserts hold) removes or skips the assert and silently drops the state change inside it; or a user passes bad input and, before 0.8, the failing assert burns all the gas of the transaction.',
  recommendation:
    'Move state changes out of assert(); validate inputs with require() or custom errors, and keep assert() for internal invariants.',
  swc: ['SWC-110'],
  owasp: ['SC04:2025'],
  control: 'SBD-07',
  detect({ functions, analysis, report }) {
    for (const fn of functions) {
      const facts = analysis.facts(fn);
      for (const call of facts.calls) {
        if (call.kind !== 'builtin' || call.name !== 'assert' || !call.arguments[0]) continue;
        const expression = call.arguments[0];
        const change = stateChange(expression, facts.calls, analysis, fn);
        if (change) {
          report({
            node: call.node,
            fn,
            message: `${qualifiedName(fn)} changes state inside \`${shortSourceText(fn, call.node)}\` (${change}); assert() is for invariants, and code relying on its side effect breaks when the check is removed or skipped.`,
          });
          continue;
        }
        if (validatesInput(expression, fn, analysis)) {
          report({
            node: call.node,
            fn,
            message: `${qualifiedName(fn)} validates caller input with \`${shortSourceText(fn, call.node)}\`; use require() so bad input is an ordinary revert, not a broken invariant${admitsCompilerBelow(fn.contract.unit, [0, 8, 0]) ? ' that consumes all remaining gas' : ''}.`,
            impact: 'informational',
          });
        }
      }
    }
  },
});

function stateChange(expression: Node, calls: CallSite[], analysis: Analysis, fn: FunctionIR): string | undefined {
  const [start, end] = expression.range ?? [0, -1];
  const inside = (n: Node) => (n.range?.[0] ?? -1) >= start && (n.range?.[1] ?? -1) <= end;
  const assignment = findAll(
    expression,
    (n) =>
      (n.type === 'BinaryOperation' && assignmentOperators.has(n.operator)) ||
      (n.type === 'UnaryOperation' && ['++', '--', 'delete'].includes(n.operator)),
  )[0];
  if (assignment) return `\`${shortSourceText(fn, assignment)}\` writes a variable`;
  for (const call of calls) {
    if (!inside(call.node)) continue;
    if (call.kind === 'internal' || call.kind === 'library') {
      const writes = call.targets.flatMap((t) => [...analysis.writesState(t)]);
      if (writes.length > 0)
        return `\`${shortSourceText(fn, call.node)}\` writes ${[...new Set(writes.map((w) => w.name))].join(', ')}`;
    }
    if (['low-level-call', 'send', 'transfer', 'delegatecall'].includes(call.kind))
      return `\`${shortSourceText(fn, call.node)}\` makes a call`;
    // A view call is read-only only where it compiles to STATICCALL (0.5 on).
    if (call.kind === 'external' && call.targets.length > 0 && !isStaticCall(analysis, fn, call))
      return `\`${shortSourceText(fn, call.node)}\` calls a ${call.targets.some((t) => t.mutability !== 'view' && t.mutability !== 'pure') ? 'state-changing function' : 'view function with a plain CALL (before 0.5), which may change state'}`;
  }
  return undefined;
}

/** An entry point asserting on its parameters or msg.* directly (not on values it computed). */
function validatesInput(expression: Node, fn: FunctionIR, analysis: Analysis): boolean {
  if (fn.visibility !== 'public' && fn.visibility !== 'external') return false;
  if (fn.kind === 'modifier' || fn.contract.kind === 'library') return false;
  const locals = analysis.facts(fn).locals;
  const params = new Set(fn.params.map((p) => p.name));
  let input = false;
  for (const node of findAll(expression, (n) => n.type === 'Identifier' || n.type === 'MemberAccess')) {
    const dotted = dottedName(node);
    if (dotted === 'msg.value' || dotted === 'msg.sender' || dotted === 'msg.data') input = true;
    else if (node.type === 'Identifier' && params.has(node.name)) input = true;
    else if (node.type === 'Identifier' && locals.has(node.name)) return false;
  }
  return input;
}
