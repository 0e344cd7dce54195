import { defineDetector } from '../../detector.ts';
import { arithmeticOps, judge } from './overflow.ts';
import { hasCheckedArithmetic } from './shared.ts';

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
        const verdict = judge(op, { analysis, program, fn, facts }, true);
        if (!verdict) continue;
        report({
          node: op.node,
          fn,
          message: `${fn.contract.name}.${fn.name}: \`${fn.contract.unit.source.textOf(op.node)}\` sits in an unchecked block and ${verdict.reason}.`,
          impact: verdict.impact,
          confidence: verdict.confidence,
        });
      }
    }
  },
});
