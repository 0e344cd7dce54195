import type { Node } from '@bulwark/solidity';
import { qualifiedName } from '@bulwark/solidity';
import { reenterableEntryPoints } from '../../analysis/callAccesses.ts';
import { callContexts, pathNote } from '../../analysis/callContexts.ts';
import { handsOverControl } from '../../analysis/reenterable.ts';
import { sourceText } from '../../analysis/sourceText.ts';
import { defineDetector } from '../../detector.ts';

export const reentrancyEvents = defineDetector({
  id: 'reentrancy-events',
  category: 'reentrancy',
  title: 'Reentrancy: event emitted after an external call',
  impact: 'informational',
  confidence: 'medium',
  description:
    'An event is emitted after a call that hands control to another contract. A re-entrant call emits its own events first, so off-chain consumers (indexers, monitors) see events out of order or with stale values.',
  scenario:
    'During a payout the recipient re-enters and triggers a second payout; the logs show the inner Withdrawal before the outer one, and a monitor that replays logs computes wrong balances.',
  recommendation: 'Emit events before the external call, together with the state changes they describe.',
  swc: ['SWC-107'],
  owasp: ['SC05:2025'],
  control: 'SBD-07',
  detect({ functions, analysis, report }) {
    for (const entry of reenterableEntryPoints(analysis, functions)) {
      for (const context of callContexts(analysis, entry)) {
        if (!handsOverControl(analysis, context)) continue;
        const { fn, call } = context;
        if (!call.statement) continue;
        const later = analysis.after(call.statement);
        for (const node of later) {
          const emit: Node | undefined = node.ast?.type === 'EmitStatement' ? node.ast : undefined;
          if (!emit) continue;
          report({
            node: emit,
            fn,
            message: `${qualifiedName(fn)} emits \`${sourceText(fn, emit)}\` after handing control to another contract in \`${sourceText(fn, call.node)}\`${pathNote(context)}; re-entrant calls log first, so the events come out of order.`,
            related: [{ node: call.node, message: 'external call' }],
          });
        }
      }
    }
  },
});
