import { qualifiedName } from '@bulwark/solidity';
import { reenterableEntryPoints, staleWrites } from '../../analysis/callAccesses.ts';
import { callContexts, pathNote, variableNames, writeRelated } from '../../analysis/callContexts.ts';
import { type ContextFinding, reportPlaced } from '../../analysis/exposures.ts';
import { onlyInFlightUpdates } from '../../analysis/reenterable.ts';
import { sourceText } from '../../analysis/sourceText.ts';
import { receiverIsUserControlled } from '../../analysis/valueOrigins.ts';
import { defineDetector } from '../../detector.ts';

export const reentrancyNoEth = defineDetector({
  id: 'reentrancy-no-eth',
  category: 'reentrancy',
  title: 'Reentrancy: call to a caller-chosen contract before state is updated',
  impact: 'medium',
  confidence: 'medium',
  description:
    'A function calls a contract whose address the caller chooses (msg.sender, a parameter, or state anyone can set) and only afterwards updates state it read before the call. That contract can call back into the function while the state is stale.',
  scenario:
    'A user passes the address of their own contract (a "token" or "hook"); when called, it re-enters the function, passes the same checks again because the state was not yet updated, and claims or mints twice.',
  recommendation:
    'Update state before calling out (checks-effects-interactions), or add a reentrancy lock to every function that shares the state.',
  swc: ['SWC-107'],
  owasp: ['SC05:2025'],
  control: 'SBD-07',
  detect({ functions, analysis, report }) {
    const found: ContextFinding[] = [];
    for (const entry of reenterableEntryPoints(analysis, functions)) {
      for (const context of callContexts(analysis, entry)) {
        if (context.kind !== 'external') continue;
        if (!receiverIsUserControlled(analysis, context)) continue;
        const stale = staleWrites(analysis, context);
        if (stale.length === 0) continue;
        const inFlight = onlyInFlightUpdates(analysis, context, stale);
        const { fn, call } = context;
        found.push({
          context,
          draft: {
            message: `${qualifiedName(fn)} calls a caller-chosen contract in \`${sourceText(fn, call.node)}\`${pathNote(context)} and only afterwards writes ${variableNames(stale)}, which it read before the call; that contract can re-enter ${qualifiedName(entry)} and act on the old ${variableNames(stale)}.${inFlight ? ' It also updates them before the call, so this may be an intended in-flight value (as in a flash mint).' : ''}`,
            related: writeRelated(stale),
            ...(inFlight ? { impact: 'low' as const, confidence: 'low' as const } : {}),
          },
        });
      }
    }
    reportPlaced(found, report);
  },
});
