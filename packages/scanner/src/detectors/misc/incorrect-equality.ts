import { findAll, type Node, qualifiedName } from '@bulwark/solidity';
import { ownBalance } from '../../analysis/balances.ts';
import { shortSourceText } from '../../analysis/sourceText.ts';
import { defineDetector } from '../../detector.ts';

export const incorrectEquality = defineDetector({
  id: 'incorrect-equality',
  category: 'misc',
  title: 'Strict equality on the contract balance',
  impact: 'medium',
  confidence: 'high',
  description:
    "A condition compares the contract's own ether or token balance with `==` or `!=`. Anyone can change that balance without calling the contract: ether arrives through selfdestruct or as a block reward recipient, and tokens can be transferred in directly.",
  scenario:
    'A game pays out when `address(this).balance == target`. An attacker force-sends 1 wei with selfdestruct; the balance never equals the target again and the funds are locked for good.',
  recommendation:
    'Compare with `>=`/`<=`, or track deposits in a state variable the contract updates itself and compare against that.',
  swc: ['SWC-132'],
  owasp: ['SC03:2025'],
  control: 'SBD-07',
  detect({ functions, analysis, report }) {
    for (const fn of functions) {
      const seen = new Set<Node>();
      for (const condition of analysis.facts(fn).conditions) {
        for (const comparison of findAll(
          condition,
          (n) => n.type === 'BinaryOperation' && (n.operator === '==' || n.operator === '!='),
        )) {
          if (seen.has(comparison)) continue;
          seen.add(comparison);
          const left = ownBalance(comparison.left, fn, analysis);
          const right = ownBalance(comparison.right, fn, analysis);
          const balance = left ?? right;
          if (!balance || (left && right)) continue;
          const other = left ? comparison.right : comparison.left;
          // `balance != 0` only asks whether anything is there; forcing funds in cannot break it.
          if (comparison.operator === '!=' && other.type === 'NumberLiteral' && Number(other.number) === 0) continue;
          report({
            node: comparison,
            fn,
            message: `${qualifiedName(fn)} decides on a strict equality with its own ${balance} in \`${shortSourceText(fn, comparison)}\`; anyone can change that balance by force-sending funds, so the condition can be made permanently true or false.`,
          });
        }
      }
    }
  },
});
