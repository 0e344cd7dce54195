import type { Analysis, FunctionIR, Node, SolType } from '@bulwark/solidity';
import { allFunctions, isAddress, isInteger, walk } from '@bulwark/solidity';
import { literalValue } from '../../analysis/constants.ts';
import { defineDetector } from '../../detector.ts';

export const erc20ApproveRace = defineDetector({
  id: 'erc20-approve-race',
  category: 'ordering',
  title: 'ERC-20 approve overwrites a non-zero allowance',
  impact: 'low',
  confidence: 'medium',
  description:
    'The ERC-20 `approve` sets an allowance to a new value whatever it was before. Changing an allowance from N to M lets the spender, watching the mempool, spend N first and then M as well.',
  scenario:
    'Alice approved Bob for 100 tokens and now sends approve(Bob, 50). Bob sees the transaction pending, front-runs it with transferFrom for 100, and after it is mined spends the new 50: 150 in total.',
  recommendation:
    'Offer increaseAllowance/decreaseAllowance, or require the current or the new allowance to be zero (`require(value == 0 || allowed[msg.sender][spender] == 0)`); wallets should set the allowance to 0 before a new value.',
  swc: ['SWC-114'],
  owasp: ['SC03:2025'],
  control: 'SBD-07',
  detect({ contracts, analysis, report }) {
    for (const contract of contracts) {
      if (contract.kind !== 'contract' && contract.kind !== 'abstract') continue;
      const functions = allFunctions(contract);
      // An ERC-20: it moves tokens on behalf of others.
      if (!functions.some((fn) => fn.name === 'transferFrom' && fn.params.length === 3)) continue;
      for (const fn of functions) {
        if (!analysis.isEntryPoint(fn) || !looksLikeApprove(fn)) continue;
        const write = allowanceWrite(fn, analysis);
        if (!write || checksZero(fn, analysis)) continue;
        report({
          node: write.node,
          fn: write.fn,
          contract,
          message: `${contract.name}.${fn.name} overwrites the allowance in \`${write.fn.contract.unit.source.textOf(write.node)}\` without requiring the old or the new value to be zero: a spender who front-runs a change spends both the old and the new allowance.`,
        });
      }
    }
  },
});

/** One address and one amount in, as approve(spender, value). */
function looksLikeApprove(fn: FunctionIR): boolean {
  if (fn.params.length !== 2) return false;
  return fn.params.some((p) => isAddress(p.type)) && fn.params.some((p) => isInteger(p.type));
}

function isAllowanceMapping(type: SolType): boolean {
  return (
    type.kind === 'mapping' &&
    isAddress(type.key) &&
    type.value.kind === 'mapping' &&
    isAddress(type.value.key) &&
    isInteger(type.value.value)
  );
}

/** `allowed[owner][spender] = value` (a plain store, not `+=`) reached from `fn`. */
function allowanceWrite(fn: FunctionIR, analysis: Analysis): { node: Node; fn: FunctionIR } | undefined {
  for (const f of analysis.reachable(fn)) {
    for (const write of analysis.facts(f).stateWrites) {
      const node = write.node;
      if (node.type !== 'BinaryOperation' || node.operator !== '=' || !isAllowanceMapping(write.variable.type))
        continue;
      if (node.left.type !== 'IndexAccess' || node.left.base?.type !== 'IndexAccess') continue;
      const value = node.right;
      if (value.type === 'BinaryOperation' && ['+', '-'].includes(value.operator)) continue;
      if (value.type === 'NumberLiteral') continue;
      return { node, fn: f };
    }
  }
  return undefined;
}

/** A check that compares an amount with zero (`value == 0 || allowed[..][..] == 0`). */
function checksZero(fn: FunctionIR, analysis: Analysis): boolean {
  for (const f of analysis.reachable(fn)) {
    for (const condition of analysis.facts(f).conditions) {
      let found = false;
      walk(condition, (node) => {
        if (found) return false;
        if (node.type !== 'BinaryOperation' || (node.operator !== '==' && node.operator !== '!=')) return undefined;
        for (const [side, other] of [
          [node.left, node.right],
          [node.right, node.left],
        ]) {
          if (literalValue(side) === 0n && isInteger(analysis.typeOf(other, f))) found = true;
        }
        return undefined;
      });
      if (found) return true;
    }
  }
  return false;
}
