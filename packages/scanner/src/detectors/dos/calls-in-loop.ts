import { qualifiedName } from '@bulwark/solidity';
import { callContexts } from '../../analysis/callContexts.ts';
import { type ContextFinding, reportPlaced } from '../../analysis/exposures.ts';
import { isGuarded } from '../../analysis/guards.ts';
import { entryPoints, runsInLoop } from '../../analysis/reenterable.ts';
import { sourceText } from '../../analysis/sourceText.ts';
import { receiverIsUserControlled } from '../../analysis/valueOrigins.ts';
import { defineDetector } from '../../detector.ts';

export const callsInLoop = defineDetector({
  id: 'calls-in-loop',
  category: 'dos',
  title: 'External call inside a loop',
  impact: 'low',
  confidence: 'medium',
  description:
    'A loop makes a state-changing external call (or an ether payment) on each iteration. If one call reverts, the whole transaction reverts; each call also costs gas, so a long list cannot be processed at all.',
  scenario:
    'A payout loop transfers to every shareholder. One shareholder is a contract that reverts on receipt, so no one is paid; or the list grows until the loop needs more gas than a block holds.',
  recommendation:
    'Prefer pull payments. Otherwise process the list in bounded batches, and handle a failed call without reverting (record it, skip it).',
  swc: ['SWC-113', 'SWC-128'],
  owasp: ['SC10:2025'],
  control: 'SBD-07',
  detect({ functions, analysis, report }) {
    const found: ContextFinding[] = [];
    for (const entry of entryPoints(analysis, functions)) {
      for (const context of callContexts(analysis, entry)) {
        if (context.kind === 'none' || !runsInLoop(context)) continue;
        // An admin-only batch over admin-configured contracts blocks only its own caller.
        if (isGuarded(analysis, entry) && !receiverIsUserControlled(analysis, context)) continue;
        const { fn, call } = context;
        const via = context.call.inLoop
          ? ''
          : ` (called in a loop in ${qualifiedName(context.chain.findLast((l) => l.site.inLoop)!.fn)})`;
        found.push({
          context,
          draft: {
            message: `${qualifiedName(fn)} calls \`${sourceText(fn, call.node)}\` once per loop iteration${via}; one failing call reverts them all, and gas grows with the list.`,
          },
        });
      }
    }
    reportPlaced(found, report);
  },
});
