import type { Analysis, CallKind, FunctionIR, Node, StateVariable } from '@bulwark/solidity';
import { qualifiedName } from '@bulwark/solidity';
import { readsBefore, writesAfter } from '../../analysis/callAccesses.ts';
import { callContexts, pathNote, writeRelated } from '../../analysis/callContexts.ts';
import { type ContextFinding, reportPlaced } from '../../analysis/exposures.ts';
import { decidesOn, entryPoints, handsOverControl, reenterableFunctions } from '../../analysis/reenterable.ts';
import { sourceText } from '../../analysis/sourceText.ts';
import { defineDetector } from '../../detector.ts';

export const reentrancyCrossFunction = defineDetector({
  id: 'reentrancy-cross-function',
  category: 'reentrancy',
  title: 'Cross-function reentrancy: state updated after a call is used by another function',
  impact: 'medium',
  confidence: 'medium',
  description:
    'A function hands control to another contract (an ether payment, or a call to an address the caller chooses) and updates state only afterwards. Another public function decides on that state and can be called during the call, when the state is stale.',
  scenario:
    'withdraw() sends ether and zeroes the balance afterwards. In its fallback the attacker calls transfer(), which still sees the old balance and moves it to a second account; both the payout and the transfer go through.',
  recommendation:
    'Update state before the external call, and put the same reentrancy lock on every function that reads or writes the shared state.',
  swc: ['SWC-107'],
  owasp: ['SC05:2025'],
  control: 'SBD-07',
  detect({ functions, analysis, report }) {
    const found: ContextFinding[] = [];
    for (const entry of entryPoints(analysis, functions)) {
      const guarded = analysis.hasReentrancyGuard(entry);
      for (const context of callContexts(analysis, entry)) {
        if (!handsOverControl(analysis, context)) continue;
        const readFirst = new Set(readsBefore(analysis, context).map((r) => r.variable));
        // Variables the same-function detectors already cover are left to them; a late credit
        // (`balance += x`) leaves a re-entrant caller a smaller stale value, which it cannot exploit.
        const late = writesAfter(analysis, context).filter(
          (w) => (guarded || !readFirst.has(w.variable)) && !isIncrement(analysis, w.node, w.fn),
        );
        if (late.length === 0) continue;
        const others = reenterableFunctions(analysis, context);
        const users = new Map<StateVariable, FunctionIR[]>();
        for (const write of late) {
          if (users.has(write.variable)) continue;
          const readers = others.filter(
            (other) => decidesOn(analysis, other, write.variable) && hasEffect(analysis, other),
          );
          if (readers.length > 0) users.set(write.variable, readers);
        }
        if (users.size === 0) continue;
        const { fn, call } = context;
        const [variable, readers] = [...users][0];
        const variables = [...users.keys()].map((v) => v.name).join(', ');
        found.push({
          context,
          draft: {
            message: `${qualifiedName(fn)} hands control to another contract in \`${sourceText(fn, call.node)}\`${pathNote(context)} before writing ${variables}; during the call ${readers.map(qualifiedName).join(', ')} can be entered and decides on the stale ${variable.name}.`,
            related: [
              ...writeRelated(late.filter((w) => users.has(w.variable))),
              ...readers.slice(0, 2).map((r) => ({
                node: r.node,
                unit: r.contract.unit,
                message: `${qualifiedName(r)} reads ${variable.name}`,
              })),
            ],
          },
        });
      }
    }
    reportPlaced(found, report);
  },
});

/**
 * A re-entered function that writes no state and calls out to nothing (a payable fallback that
 * only checks a flag) gains the attacker nothing from the stale value; views are left to
 * reentrancy-read-only.
 */
const effectCalls = new Set<CallKind>([
  'low-level-call',
  'delegatecall',
  'callcode',
  'send',
  'transfer',
  'external',
  'new',
  'selfdestruct',
]);

function hasEffect(analysis: Analysis, fn: FunctionIR): boolean {
  if (analysis.writesState(fn).size > 0) return true;
  return analysis.reachable(fn).some((f) => analysis.facts(f).calls.some((c) => effectCalls.has(c.kind)));
}

/** `x += e`, `x++`, `x = x + e`, `x = x.add(e)`: the write only increases x. */
function isIncrement(analysis: Analysis, access: Node, fn: FunctionIR): boolean {
  const text = (node: Node) => fn.contract.unit.source.textOf(node).replace(/\s+/g, '');
  // The parent from the function's facts: searching the body for it made this linear in its size.
  const parent = analysis.facts(fn).parents.get(access);
  const writes =
    (parent?.type === 'BinaryOperation' && parent.left === access) ||
    (parent?.type === 'UnaryOperation' && parent.subExpression === access);
  if (!parent || !writes) return false;
  if (parent.type === 'UnaryOperation') return parent.operator === '++';
  if (parent.operator === '+=') return true;
  if (parent.operator !== '=') return false;
  const value = parent.right;
  const target = text(access);
  if (value.type === 'BinaryOperation' && value.operator === '+')
    return text(value.left) === target || text(value.right) === target;
  if (
    value.type === 'FunctionCall' &&
    value.expression?.type === 'MemberAccess' &&
    value.expression.memberName === 'add'
  )
    return text(value.expression.expression) === target;
  return false;
}
