import { type Analysis, type FunctionIR, type Node, qualifiedName, unwrapCallee } from '@bulwark/solidity';
import { shortSourceText } from '../../analysis/sourceText.ts';
import { defineDetector } from '../../detector.ts';

export const hardcodedGas = defineDetector({
  id: 'hardcoded-gas',
  category: 'misc',
  title: 'Call with a hard-coded gas amount',
  impact: 'low',
  confidence: 'medium',
  description:
    'An external call forwards a fixed amount of gas (`.call{gas: 2300}`, `.gas(50000)`). Gas costs of opcodes change with network upgrades (EIP-1884, EIP-2929), so a callee that fits today can run out of gas tomorrow.',
  scenario:
    'After a hard fork reprices SLOAD, the recipient contract (a multisig wallet) needs more than the fixed 2300 gas to accept a payment; every withdrawal to it reverts and its funds stay stuck.',
  recommendation:
    'Forward all remaining gas and protect against reentrancy with checks-effects-interactions or a guard; if a limit is needed, make it configurable.',
  swc: ['SWC-134'],
  owasp: ['SC10:2025'],
  control: 'SBD-07',
  detect({ functions, analysis, report }) {
    for (const fn of functions) {
      for (const call of analysis.facts(fn).calls) {
        if (!['low-level-call', 'external', 'delegatecall', 'staticcall'].includes(call.kind)) continue;
        const gas = unwrapCallee(call.node.expression).options.gas;
        if (!gas || !isFixed(gas, fn, analysis)) continue;
        report({
          node: call.node,
          fn,
          message: `${qualifiedName(fn)} forwards a fixed gas amount (${shortSourceText(fn, gas)}) in \`${shortSourceText(fn, call.node)}\`; a gas repricing or a costlier callee makes this call fail.`,
        });
      }
    }
  },
});

/** A literal, or a constant initialised with one. */
function isFixed(node: Node, fn: FunctionIR, analysis: Analysis): boolean {
  if (node.type === 'NumberLiteral') return true;
  if (node.type === 'BinaryOperation') return isFixed(node.left, fn, analysis) && isFixed(node.right, fn, analysis);
  if (node.type === 'Identifier' && !analysis.facts(fn).locals.has(node.name)) {
    for (const c of fn.contract.linearized) {
      const variable = c.stateVariables.find((v) => v.name === node.name);
      if (variable)
        return variable.constant && variable.initialValue !== undefined && isFixed(variable.initialValue, fn, analysis);
    }
  }
  return false;
}
