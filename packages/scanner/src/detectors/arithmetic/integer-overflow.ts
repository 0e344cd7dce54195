import { hasCheckedArithmetic, qualifiedName } from '@bulwark/solidity';
import { defineDetector } from '../../detector.ts';
import { arithmeticOps, judge } from './overflow.ts';

export const integerOverflow = defineDetector({
  id: 'integer-overflow',
  category: 'arithmetic',
  title: 'Integer overflow or underflow',
  impact: 'high',
  confidence: 'high',
  description:
    'Before Solidity 0.8 integer arithmetic wraps around silently. An addition, subtraction or multiplication whose operands users control, with no SafeMath call and no check that bounds them, can wrap: a balance minus more than it holds becomes huge, a lock time plus a large number becomes small.',
  scenario:
    'A token subtracts `balances[msg.sender] -= _value` without checking the balance first. An attacker with a zero balance transfers 1 token; the subtraction underflows to 2^256 - 1 and the attacker owns almost the whole supply (BEC token, 2018).',
  recommendation:
    'Use SafeMath (`a.add(b)`, `a.sub(b)`) or check the operands first (`require(b <= a)` before `a - b`), or compile with Solidity 0.8+, which reverts on overflow.',
  swc: ['SWC-101'],
  owasp: ['SC08:2025'],
  control: 'SBD-07',
  detect({ functions, analysis, program, report }) {
    for (const fn of functions) {
      if (!fn.body || hasCheckedArithmetic(fn.contract.unit)) continue;
      const facts = analysis.facts(fn);
      for (const op of arithmeticOps(fn, false)) {
        const verdict = judge(op, { analysis, program, fn, facts }, false);
        if (!verdict) continue;
        report({
          node: op.node,
          fn,
          message: `${qualifiedName(fn)}: \`${fn.contract.unit.source.textOf(op.node)}\` is unchecked arithmetic (Solidity < 0.8) and ${verdict.reason}.`,
          impact: verdict.impact,
          confidence: verdict.confidence,
        });
      }
    }
  },
});
