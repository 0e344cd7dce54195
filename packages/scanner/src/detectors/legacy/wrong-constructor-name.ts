import { editDistance } from '@bulwark/core';
import {
  type Analysis,
  admitsCompilerBelow,
  type Contract,
  type FunctionIR,
  isAddress,
  type StateAccess,
} from '@bulwark/solidity';
import { isGuarded } from '../../analysis/guards.ts';
import { functionHeader } from '../../analysis/sourceText.ts';
import { defineDetector } from '../../detector.ts';

export const wrongConstructorName = defineDetector({
  id: 'wrong-constructor-name',
  category: 'legacy',
  title: 'Misnamed constructor',
  impact: 'high',
  confidence: 'medium',
  description:
    'Before Solidity 0.4.22 a constructor was a function named exactly like the contract. A function whose name differs only in case or by a typo, or still carries the name of another contract, is an ordinary public function: anyone can call it at any time and run the initialisation again, for example to become the owner.',
  scenario:
    'The contract `Rubixi` was renamed from `DynamicPyramid`, but its constructor `DynamicPyramid()` was not. Anyone called it, became the owner and withdrew the collected fees. Likewise `function owned()` in `contract Owned` sets the owner for whoever calls it.',
  recommendation:
    'Use the `constructor` keyword (Solidity 0.4.22+), or name the function exactly like the contract; remove stale initialisers.',
  swc: ['SWC-118'],
  owasp: ['SC01:2025'],
  control: 'SBD-08',
  detect({ contracts, analysis, report }) {
    for (const contract of contracts) {
      if (contract.kind !== 'contract' && contract.kind !== 'abstract') continue;
      if (!admitsCompilerBelow(contract.unit, [0, 5, 0])) continue;
      const hasConstructor = contract.functions.some((fn) => fn.kind === 'constructor');
      for (const fn of contract.functions) {
        if (fn.kind !== 'function' || fn.legacyConstructor) continue;
        if (fn.visibility !== 'public' && fn.visibility !== 'external') continue;
        const like = resembles(fn, contract);
        if (!like) continue;
        const written = [...analysis.writesState(fn)];
        if (written.length === 0 || isGuarded(analysis, fn)) continue;
        const ownerWrite = setsCallerAsOwner(fn, analysis);
        const ownerLike = ownerWrite?.variable.name;
        // On the header (the misnamed function is the defect), with the write anyone can now run.
        const firstWrite = analysis.facts(fn).stateWrites[0]?.node;
        const write = ownerWrite?.fn === fn ? ownerWrite.node : firstWrite;
        report({
          node: functionHeader(fn),
          fn,
          related: write ? [{ node: write, unit: fn.contract.unit, message: 'state anyone can now set' }] : [],
          message: `${contract.name}.${fn.name} is named like ${like} but is not a constructor${hasConstructor ? '' : ' (the contract has none)'}: anyone can call it and ${ownerLike ? `make themselves ${ownerLike}` : `reset ${written.map((v) => v.name).join(', ')}`}.`,
          confidence: ownerLike ? 'high' : undefined,
        });
      }
    }
  },
});

/** The name matches the contract up to case or a small typo, or names another contract. */
function resembles(fn: FunctionIR, contract: Contract): string | undefined {
  const name = fn.name;
  if (name.toLowerCase() === contract.name.toLowerCase()) return `the contract ${contract.name} (case differs)`;
  if (name.length >= 5 && editDistance(name.toLowerCase(), contract.name.toLowerCase()) <= (name.length >= 10 ? 2 : 1))
    return `the contract ${contract.name}`;
  for (const other of contract.unit.contracts) {
    if (other === contract || other.kind === 'interface' || other.kind === 'library') continue;
    // A copy of another contract's constructor (a base, or the contract's former name).
    if (name === other.name) return `contract ${other.name}`;
  }
  return undefined;
}

/** `owner = msg.sender` (or any address state set from the caller). */
function setsCallerAsOwner(fn: FunctionIR, analysis: Analysis): (StateAccess & { fn: FunctionIR }) | undefined {
  for (const f of analysis.reachable(fn)) {
    for (const write of analysis.facts(f).stateWrites) {
      if (write.node.type !== 'BinaryOperation' || write.node.operator !== '=' || !isAddress(write.variable.type))
        continue;
      const sources = analysis.taintOf(write.node.right, f);
      if (sources.has('msg.sender') || sources.has('tx.origin')) return { ...write, fn: f };
    }
  }
  return undefined;
}
