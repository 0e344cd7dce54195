import type { FunctionIR } from '@bulwark/solidity';
import { circuitBreaker, displayName, profileOf } from '../../analysis/contractProfile.ts';
import { contractHead, deployableContracts, isDelegatingProxy } from '../../analysis/contracts.ts';
import { shortSourceText } from '../../analysis/sourceText.ts';
import { goesToFixedRecipient, type ValueMove, type ValueMoveKind } from '../../analysis/valueFlows.ts';
import { defineDetector } from '../../detector.ts';

const describeKind: Record<ValueMoveKind, string> = {
  'ether-out': 'sends ether',
  'token-out': 'moves tokens',
  deposit: 'takes ether deposits',
  ledger: 'moves balances of its own token',
};

export const missingCircuitBreaker = defineDetector({
  id: 'missing-circuit-breaker',
  category: 'design',
  title: 'Value-holding contract cannot be paused or terminated',
  // Immutability is a design choice the governance gate weighs against the declared facts
  // (pausable: yes/no); a reviewer would not add a pause to a sale or escrow: advisory, not a bug.
  impact: 'low',
  confidence: 'medium',
  description:
    'A deployable contract lets anyone move value (ether, tokens it holds, deposits, balances) but has no circuit breaker: no admin-controlled switch gates its value-moving functions, no controller contract is consulted, and there is no protected selfdestruct or upgrade path. Rated low: whether a contract is meant to be immutable is a design decision the governance gate weighs against the declared facts, not a code defect.',
  scenario:
    'A bug is found in withdraw() and an attacker starts draining the contract. The team sees it happen but has no way to stop the contract, so every remaining deposit is lost before users can react.',
  recommendation:
    'Add an emergency stop: a pause flag set by a multi-party admin and checked (e.g. OpenZeppelin Pausable `whenNotPaused`) in every function that moves value, with a tested runbook for tripping it. If the contract is meant to be immutable, document that decision and its recourse (advisory SBD-04).',
  swc: [],
  owasp: ['SC03:2025'],
  control: 'SBD-06',
  detect({ contracts, analysis, report }) {
    for (const contract of deployableContracts(contracts)) {
      if (isDelegatingProxy(analysis, contract)) continue;
      const profile = profileOf(analysis, contract);
      if (profile.publicMoves.size === 0) continue;
      if (circuitBreaker(analysis, profile)) continue;
      // A modifier whose code is missing (an import not scanned) may well be the pause check.
      if ([...profile.publicMoves.keys()].some((entry) => entry.modifiers.some((use) => !use.definition))) continue;
      const incomplete = contract.linearized.some((c) => c.unresolvedBases.length > 0);
      const moves: [FunctionIR, ValueMove[]][] = [...profile.publicMoves]
        .map(([entry, m]): [FunctionIR, ValueMove[]] => [entry, m.filter((x) => !goesToFixedRecipient(analysis, x))])
        .filter(([, m]) => m.length > 0);
      if (moves.length === 0) continue;
      const kinds = new Set(moves.flatMap(([, m]) => m.map((x) => x.kind)));
      const onlyLedger = kinds.size === 1 && kinds.has('ledger');
      const ownerless = !profile.humanAdmin;
      const examples = moves
        .slice(0, 3)
        .map(
          ([entry, m]) =>
            `${displayName(entry)} ${describeKind[m[0].kind]} in \`${shortSourceText(m[0].fn, m[0].node)}\``,
        );
      const why = onlyLedger
        ? 'a token whose transfers cannot be halted if its logic is exploited'
        : 'an exploit in progress cannot be stopped';
      const note = ownerless
        ? ' It has no privileged role at all: if immutability is intended, document it and the recourse for users.'
        : '';
      report({
        node: contractHead(contract),
        contract,
        onlyIfDeployed: contract,
        message: `${contract.name} holds value (${examples.join('; ')}) but has no circuit breaker: no admin-controlled pause flag gates these functions, and there is no protected selfdestruct or upgrade; ${why}.${note}`,
        related: moves.slice(0, 3).map(([entry, m]) => ({
          node: m[0].node,
          unit: m[0].fn.contract.unit,
          message: `${entry.contract.name}.${displayName(entry)} ${describeKind[m[0].kind]} with no pause check`,
        })),
        confidence: ownerless || incomplete ? 'low' : undefined,
      });
    }
  },
});
