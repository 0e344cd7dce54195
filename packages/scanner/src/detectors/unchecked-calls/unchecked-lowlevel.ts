import { qualifiedName } from '@bulwark/solidity';
import { neverInvokedCall, resultHandling } from '../../analysis/callResults.ts';
import { placeAtEntry, reachedFrom } from '../../analysis/exposures.ts';
import { sourceText } from '../../analysis/sourceText.ts';
import { defineDetector } from '../../detector.ts';

const lowLevelKinds = new Set(['low-level-call', 'delegatecall', 'staticcall', 'callcode']);

export const uncheckedLowlevel = defineDetector({
  id: 'unchecked-lowlevel',
  category: 'unchecked-calls',
  title: 'Unchecked low-level call',
  impact: 'medium',
  confidence: 'medium',
  description:
    'A low-level call (.call, .delegatecall, .staticcall, .callcode) returns false instead of reverting when the callee fails. Its result is discarded, stored and never tested, or tested by code that does the same either way; also flagged: a call configured with .value()/.gas() but never invoked.',
  scenario:
    'A payout made with `to.call{value: amount}("")` fails (the recipient reverts or runs out of gas); the function does not notice, marks the payout as done and the funds are stuck, or an accounting step is skipped silently.',
  recommendation:
    'Test the success flag and revert (or record the failure) when it is false: `(bool ok, ) = to.call{value: amount}(""); require(ok);`, or use OpenZeppelin Address.sendValue / functionCall.',
  swc: ['SWC-104'],
  owasp: ['SC06:2025'],
  control: 'SBD-07',
  detect({ functions, analysis, report }) {
    for (const fn of functions) {
      for (const call of analysis.facts(fn).calls) {
        if (neverInvokedCall(call)) {
          report({
            node: call.node,
            fn,
            message: `${qualifiedName(fn)} configures \`${sourceText(fn, call.node)}\` but never invokes it (the argument list \`(...)\` is missing): no call is made and no ether is sent, yet the function completes as if it had paid.`,
            confidence: 'high',
          });
          continue;
        }
        if (!lowLevelKinds.has(call.kind)) continue;
        const outcome = resultHandling(analysis, fn, call);
        if (outcome.handled) continue;
        const placement = placeAtEntry(analysis, functions, fn, call.node, 'the call');
        report({
          ...placement,
          message: `${qualifiedName(fn)} makes the low-level call \`${sourceText(fn, call.node)}\` and ${outcome.reason}; a failed call goes unnoticed and the function carries on.${reachedFrom(placement, fn)}`,
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
