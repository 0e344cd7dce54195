import type { CallSite, FunctionIR, StateVariable } from '@bulwark/solidity';
import { defineDetector } from '../../detector.ts';
import { stateWritesAfter } from './shared.ts';

export const reentrancyEth = defineDetector({
  id: 'reentrancy-eth',
  category: 'reentrancy',
  title: 'Reentrancy: ether sent before state is updated',
  impact: 'high',
  confidence: 'medium',
  description:
    'A function sends ether with an external call that forwards all remaining gas, and updates contract state only afterwards. The callee can re-enter before the update.',
  scenario:
    'An attacker contract calls withdraw(); in its fallback it calls withdraw() again. The balance has not been zeroed yet, so each nested call pays out again until the contract is drained (The DAO, 2016).',
  recommendation:
    'Update state before the call (checks-effects-interactions), or guard the function with a reentrancy lock (OpenZeppelin ReentrancyGuard).',
  swc: ['SWC-107'],
  owasp: ['SC05:2025'],
  control: 'SBD-07',
  detect({ functions, analysis, report }) {
    for (const fn of functions) {
      if (!analysis.isEntryPoint(fn) || analysis.hasReentrancyGuard(fn)) continue;
      for (const call of analysis.facts(fn).calls) {
        if (!sendsEtherWithGas(call)) continue;
        const writes = stateWritesAfter(analysis, fn, call);
        if (writes.length === 0) continue;
        report({
          node: call.node,
          fn,
          message: `${describe(fn)} sends ether in \`${fn.contract.unit.source.textOf(call.node)}\` and writes ${names(writes.map((w) => w.variable))} afterwards; a re-entrant call sees the old state.`,
          related: writes
            .slice(0, 3)
            .map((w) => ({
              node: w.node,
              unit: w.fn.contract.unit,
              message: `state variable ${w.variable.name} written after the call`,
            })),
        });
      }
    }
  },
});

/** Calls that transfer value and forward enough gas to re-enter. */
function sendsEtherWithGas(call: CallSite): boolean {
  if (call.kind !== 'low-level-call' && call.kind !== 'external') return false;
  if (!call.value) return false;
  const literalZero = call.value.type === 'NumberLiteral' && Number(call.value.number) === 0;
  return !literalZero;
}

function describe(fn: FunctionIR): string {
  return `${fn.contract.name}.${fn.name}`;
}

function names(variables: StateVariable[]): string {
  return [...new Set(variables.map((v) => v.name))].join(', ');
}
