import { dottedName, findAll, qualifiedName } from '@bulwark/solidity';
import { placeAtEntry, reachedFrom } from '../../analysis/exposures.ts';
import { defineDetector } from '../../detector.ts';

export const txOriginAuth = defineDetector({
  id: 'tx-origin-auth',
  category: 'access-control',
  title: 'Authorisation through tx.origin',
  impact: 'high',
  confidence: 'high',
  description:
    'A condition that decides who may act compares tx.origin, the account that started the transaction, instead of msg.sender, the immediate caller.',
  scenario:
    'The owner is lured into calling a malicious contract; that contract calls this one, tx.origin is still the owner, and the check passes for the attacker.',
  recommendation:
    'Use msg.sender for authorisation. tx.origin is only safe for `tx.origin == msg.sender` (caller is an EOA) checks.',
  swc: ['SWC-115'],
  owasp: ['SC01:2025'],
  control: 'SBD-08',
  detect({ functions, analysis, report }) {
    for (const fn of functions) {
      for (const condition of analysis.facts(fn).conditions) {
        for (const comparison of findAll(
          condition,
          (n) => n.type === 'BinaryOperation' && ['==', '!='].includes(n.operator),
        )) {
          const sides = [dottedName(comparison.left), dottedName(comparison.right)];
          if (!sides.includes('tx.origin')) continue;
          // `tx.origin == msg.sender` only asks whether the caller is an EOA.
          if (sides.includes('msg.sender')) continue;
          const placement = placeAtEntry(analysis, functions, fn, comparison, 'the tx.origin check');
          report({
            ...placement,
            message: `${qualifiedName(fn)} authorises with tx.origin in \`${fn.contract.unit.source.textOf(comparison)}\`; a contract the user calls can pass this check.${reachedFrom(placement, fn)}`,
          });
        }
      }
    }
  },
});
