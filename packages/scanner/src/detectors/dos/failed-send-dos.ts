import { qualifiedName } from '@bulwark/solidity';
import { callContexts, pathNote } from '../../analysis/callContexts.ts';
import { failureReverts } from '../../analysis/callResults.ts';
import { type ContextFinding, reportPlaced } from '../../analysis/exposures.ts';
import { entryPoints, runsInLoop, userStateOrigins } from '../../analysis/reenterable.ts';
import { sourceText } from '../../analysis/sourceText.ts';
import { defineDetector } from '../../detector.ts';

const payments = new Set(['transfer', 'send', 'low-level-call']);

export const failedSendDos = defineDetector({
  id: 'failed-send-dos',
  category: 'dos',
  title: 'Denial of service: a payment to a user-set address must succeed',
  impact: 'medium',
  confidence: 'medium',
  description:
    'A function pays ether to an address read from storage that any user can set (the previous highest bidder, the last player, a list of participants), and reverts when that payment fails. A recipient contract that rejects ether makes every call of the function revert.',
  scenario:
    'King of the Ether: the attacker becomes king from a contract whose fallback reverts. Whoever tries to take the throne must first refund the attacker, which always fails, so the attacker stays king forever (SWC-113).',
  recommendation:
    'Do not push payments to user-chosen addresses in the same transaction as the state change: record what is owed and let recipients withdraw it (pull payments), or ignore and log a failed payment instead of reverting.',
  swc: ['SWC-113'],
  owasp: ['SC10:2025'],
  control: 'SBD-07',
  detect({ functions, analysis, report }) {
    const found: ContextFinding[] = [];
    for (const entry of entryPoints(analysis, functions)) {
      for (const context of callContexts(analysis, entry)) {
        const { fn, call } = context;
        if (!payments.has(call.kind) || (call.kind === 'low-level-call' && !call.value)) continue;
        if (!failureReverts(analysis, fn, call)) continue;
        const origins = userStateOrigins(analysis, call.receiver, context, context.chain.length);
        if (origins.length === 0) continue;
        // Blocking matters when the function also changes state, or pays others in the same loop.
        if (analysis.writesState(entry).size === 0 && !runsInLoop(context)) continue;
        const variable = origins[0].split(/[.[]/)[0];
        found.push({
          context,
          draft: {
            message: `${qualifiedName(fn)} pays \`${sourceText(fn, call.node)}\`${pathNote(context)} to an address taken from ${variable}, which any user can set, and reverts if the payment fails; a recipient that rejects ether blocks ${qualifiedName(entry)} for everyone.`,
          },
        });
      }
    }
    reportPlaced(found, report);
  },
});
