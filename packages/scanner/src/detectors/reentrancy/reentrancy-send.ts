import { qualifiedName } from '@bulwark/solidity';
import { reenterableEntryPoints, staleWrites } from '../../analysis/callAccesses.ts';
import { callContexts, pathNote, variableNames, writeRelated } from '../../analysis/callContexts.ts';
import { type ContextFinding, reportPlaced } from '../../analysis/exposures.ts';
import { onlyInFlightUpdates } from '../../analysis/reenterable.ts';
import { sourceText } from '../../analysis/sourceText.ts';
import { defineDetector } from '../../detector.ts';

export const reentrancySend = defineDetector({
  id: 'reentrancy-send',
  category: 'reentrancy',
  title: 'Reentrancy: send/transfer before state is updated',
  impact: 'low',
  confidence: 'medium',
  description:
    'A function pays with send or transfer (a 2300 gas stipend) and only afterwards updates state it read before the payment. Today the stipend is too small to re-enter, but that rests on gas prices: EIP-1884 already repriced opcodes once, and a recipient on a chain or fork with cheaper storage can re-enter.',
  scenario:
    'After a repricing that lets 2300 gas write storage, the recipient’s fallback calls back into the same function before the balance is cleared and is paid again.',
  recommendation:
    'Apply checks-effects-interactions: update state before paying. Prefer pull payments (let users withdraw) over pushing ether.',
  swc: ['SWC-107'],
  owasp: ['SC05:2025'],
  control: 'SBD-07',
  detect({ functions, analysis, report }) {
    const found: ContextFinding[] = [];
    for (const entry of reenterableEntryPoints(analysis, functions)) {
      for (const context of callContexts(analysis, entry)) {
        if (context.kind !== 'stipend') continue;
        const stale = staleWrites(analysis, context);
        if (stale.length === 0) continue;
        const inFlight = onlyInFlightUpdates(analysis, context, stale);
        const { fn, call } = context;
        found.push({
          context,
          draft: {
            message: `${qualifiedName(fn)} pays with \`${sourceText(fn, call.node)}\`${pathNote(context)} before writing ${variableNames(stale)}, which it read before the payment; only the 2300 gas stipend keeps the recipient from re-entering ${qualifiedName(entry)} with the old ${variableNames(stale)}.${inFlight ? ' It also updates them before the call, so this may be an intended in-flight value (as in a flash mint).' : ''}`,
            related: writeRelated(stale),
            ...(inFlight ? { impact: 'low' as const, confidence: 'low' as const } : {}),
          },
        });
      }
    }
    reportPlaced(found, report);
  },
});
