import { qualifiedName } from '@bulwark/solidity';
import { resultHandling } from '../../analysis/callResults.ts';
import { placeAtEntry, reachedFrom } from '../../analysis/exposures.ts';
import { sourceText } from '../../analysis/sourceText.ts';
import { defineDetector } from '../../detector.ts';

export const uncheckedSend = defineDetector({
  id: 'unchecked-send',
  category: 'unchecked-calls',
  title: 'Unchecked send',
  impact: 'medium',
  confidence: 'medium',
  description:
    '`send` returns false instead of reverting when the transfer fails (the recipient reverts, or needs more than the 2300 gas stipend). Its result is discarded, stored and never tested, or tested by code that does the same either way.',
  scenario:
    'sendToWinner() calls `winner.send(prize)` and sets paidOut = true. The winner is a contract whose fallback needs more than 2300 gas: the send fails, the prize stays in the contract, and paidOut blocks any retry.',
  recommendation:
    'Test the result (`require(to.send(amount))`), or use `transfer` / a checked `call`; better, let recipients withdraw (pull payments).',
  swc: ['SWC-104'],
  owasp: ['SC06:2025'],
  control: 'SBD-07',
  detect({ functions, analysis, report }) {
    for (const fn of functions) {
      for (const call of analysis.facts(fn).calls) {
        if (call.kind !== 'send') continue;
        const outcome = resultHandling(analysis, fn, call);
        if (outcome.handled) continue;
        const placement = placeAtEntry(analysis, functions, fn, call.node, 'the send');
        report({
          ...placement,
          message: `${qualifiedName(fn)} pays with \`${sourceText(fn, call.node)}\` and ${outcome.reason}; if the transfer fails the ether stays here and the function carries on as if it had paid.${reachedFrom(placement, fn)}`,
          related: [
            ...placement.related,
            ...(outcome.site
              ? [{ node: outcome.site, unit: fn.contract.unit, message: 'this test does not handle a failure' }]
              : []),
          ],
        });
      }
    }
  },
});
