import { qualifiedName } from '@bulwark/solidity';
import { reenterableEntryPoints, staleWrites } from '../../analysis/callAccesses.ts';
import { callContexts, pathNote, variableNames, writeRelated } from '../../analysis/callContexts.ts';
import { type ContextFinding, reportPlaced } from '../../analysis/exposures.ts';
import { onlyInFlightUpdates } from '../../analysis/reenterable.ts';
import { sourceText } from '../../analysis/sourceText.ts';
import { receiverIsUserControlled } from '../../analysis/valueOrigins.ts';
import { defineDetector } from '../../detector.ts';

export const reentrancyEth = defineDetector({
  id: 'reentrancy-eth',
  category: 'reentrancy',
  title: 'Reentrancy: ether sent before state is updated',
  impact: 'high',
  confidence: 'medium',
  description:
    'A function sends ether with a call that forwards all remaining gas, and only afterwards updates state it read before the call. The recipient can re-enter the function while that state is stale.',
  scenario:
    'An attacker contract calls withdraw(); in its fallback it calls withdraw() again. The balance has not been zeroed yet, so each nested call pays out again until the contract is drained (The DAO, 2016).',
  recommendation:
    'Update state before the call (checks-effects-interactions), or guard the function with a reentrancy lock (OpenZeppelin ReentrancyGuard).',
  swc: ['SWC-107'],
  owasp: ['SC05:2025'],
  control: 'SBD-07',
  detect({ functions, analysis, report }) {
    const found: ContextFinding[] = [];
    for (const entry of reenterableEntryPoints(analysis, functions)) {
      for (const context of callContexts(analysis, entry)) {
        if (context.kind !== 'eth') continue;
        const stale = staleWrites(analysis, context);
        if (stale.length === 0) continue;
        const inFlight = onlyInFlightUpdates(analysis, context, stale);
        const { fn, call } = context;
        // A recipient fixed by the deployer or an admin would have to attack its own contract.
        const chosenByCaller = receiverIsUserControlled(analysis, context);
        found.push({
          context,
          draft: {
            message: `${qualifiedName(fn)} sends ether with \`${sourceText(fn, call.node)}\`${pathNote(context)} and only afterwards writes ${variableNames(stale)}, which it read before the call; the recipient can re-enter ${qualifiedName(entry)} and act on the old ${variableNames(stale)}.${inFlight ? ' It also updates them before the call, so this may be an intended in-flight value (as in a flash mint).' : ''}`,
            related: writeRelated(stale),
            ...(chosenByCaller ? {} : { impact: 'medium' as const, confidence: 'low' as const }),
            ...(inFlight ? { impact: 'low' as const, confidence: 'low' as const } : {}),
          },
        });
      }
    }
    reportPlaced(found, report);
  },
});
