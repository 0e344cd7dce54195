import {
  type Analysis,
  assignedBases,
  type FunctionIR,
  findStateVariable,
  hasCheckedArithmetic,
  type Node,
  qualifiedName,
} from '@bulwark/solidity';
import { expressionKey } from '../../analysis/expressions.ts';
import { defineDetector } from '../../detector.ts';
import { type ArithmeticOp, arithmeticOps, judge } from './overflow.ts';

export const uncheckedArithmetic = defineDetector({
  id: 'unchecked-arithmetic',
  category: 'arithmetic',
  title: 'User-controlled arithmetic in an unchecked block',
  impact: 'high',
  confidence: 'high',
  description:
    'Solidity 0.8 reverts on overflow except inside `unchecked { }`. An operation there whose operands users control, with no check before it that bounds them, wraps around silently as in Solidity 0.7 and older.',
  scenario:
    'A contract computes `unchecked { balances[msg.sender] -= amount; }` to save gas, but never checks `amount <= balances[msg.sender]`. Withdrawing more than the balance underflows it to a huge number.',
  recommendation:
    'Keep user-controlled arithmetic checked, or check the bound explicitly right before the unchecked block (`if (amount > balance) revert();`).',
  swc: ['SWC-101'],
  owasp: ['SC08:2025'],
  control: 'SBD-07',
  detect({ functions, analysis, program, report }) {
    for (const fn of functions) {
      if (!fn.body || !hasCheckedArithmetic(fn.contract.unit)) continue;
      const facts = analysis.facts(fn);
      for (const op of arithmeticOps(fn, true)) {
        if (movesCheckedAmount(op, fn, analysis)) continue;
        const verdict = judge(op, { analysis, program, fn, facts }, true);
        if (!verdict) continue;
        report({
          node: op.node,
          fn,
          message: `${qualifiedName(fn)}: \`${fn.contract.unit.source.textOf(op.node)}\` sits in an unchecked block and ${verdict.reason}.`,
          impact: verdict.impact,
          confidence: verdict.confidence,
        });
      }
    }
  },
});

/**
 * solmate's ERC20: `balanceOf[from] -= amount;` then `unchecked { balanceOf[to] += amount; }`, or
 * `totalSupply += amount;` then `unchecked { balanceOf[to] += amount; }`. The same amount goes
 * through checked arithmetic on another state total in the same call, and the totals are tied
 * (no balance exceeds the supply, the sum of balances is the supply), so the unchecked twin
 * cannot wrap: a wrap would need the checked one to revert first.
 */
function movesCheckedAmount(op: ArithmeticOp, fn: FunctionIR, analysis: Analysis): boolean {
  if (!op.compound || !op.right || !writesState(op.left, fn)) return false;
  const unit = fn.contract.unit;
  const amount = expressionKey(op.right, unit);
  const target = expressionKey(op.left, unit);
  const facts = analysis.facts(fn);
  return arithmeticOps(fn, false).some(
    (other) =>
      other.compound &&
      other.right !== undefined &&
      expressionKey(other.right, unit) === amount &&
      expressionKey(other.left, unit) !== target &&
      writesState(other.left, fn) &&
      !analysis.ancestors(other.node, facts).some((a) => a.type === 'UncheckedStatement'),
  );
}

function writesState(target: Node, fn: FunctionIR): boolean {
  return assignedBases(target).some(
    (base) => base.type === 'Identifier' && !!findStateVariable(fn.contract, base.name),
  );
}
