import {
  type Analysis,
  allFunctions,
  allStateVariables,
  type CallSite,
  type Contract,
  type FunctionIR,
  type Node,
} from '@bulwark/solidity';
import { assemblyCalls } from './assembly.ts';

/** Concrete contracts no other scanned contract inherits from: what actually gets deployed. */
export function deployableContracts(contracts: Contract[]): Contract[] {
  const bases = new Set<Contract>();
  for (const c of contracts) for (const base of c.linearized.slice(1)) bases.add(base);
  return contracts.filter((c) => isConcrete(c) && c.name !== '<file>' && !bases.has(c));
}
/**
 * A contract that can be deployed: not a library, interface or `abstract` one, and with every
 * function its contracts declare implemented (before 0.6 there was no `abstract` keyword: a
 * function without a body made the contract abstract). An interface's functions do not count:
 * solc makes the contract implement them, possibly as public state variables.
 */
export function isConcrete(contract: Contract): boolean {
  if (contract.kind !== 'contract') return false;
  const getters = new Set(
    allStateVariables(contract)
      .filter((v) => v.visibility === 'public')
      .map((v) => v.name),
  );
  return allFunctions(contract).every(
    (fn) => fn.kind !== 'function' || fn.body || fn.contract.kind === 'interface' || getters.has(fn.name),
  );
}
/**
 * A node covering `contract Name is A, B` up to the opening brace: contract-level findings point
 * at the declaration line instead of spanning the whole contract.
 */
export function contractHead(contract: Contract): Node {
  const [start, end] = contract.node.range ?? [0, 0];
  const text = contract.unit.source.content;
  const brace = text.indexOf('{', start);
  const stop = brace > start && brace <= end ? brace - 1 : start;
  let last = stop;
  while (last > start && /\s/.test(text[last])) last--;
  return { type: 'ContractHead', range: [start, last] };
}
/** Public/external functions of a contract (inherited ones included) that can change state. */
export function entryPoints(analysis: Analysis, contract: Contract): FunctionIR[] {
  return allFunctions(contract).filter(
    (fn) =>
      Boolean(fn.body) &&
      (fn.kind === 'function' || fn.kind === 'receive' || fn.kind === 'fallback') &&
      analysis.isEntryPoint(fn),
  );
}
const reachableCache = new WeakMap<Analysis, Map<FunctionIR, FunctionIR[]>>();
/** `analysis.reachable`, cached. */
export function reachable(analysis: Analysis, fn: FunctionIR): FunctionIR[] {
  let cache = reachableCache.get(analysis);
  if (!cache) {
    cache = new Map();
    reachableCache.set(analysis, cache);
  }
  let out = cache.get(fn);
  if (!out) {
    out = analysis.reachable(fn);
    cache.set(fn, out);
  }
  return out;
}
/** Calls made by `fn` and everything it reaches internally, with the function they sit in. */
export function reachableCalls(analysis: Analysis, fn: FunctionIR): { call: CallSite; fn: FunctionIR }[] {
  return reachable(analysis, fn).flatMap((f) => analysis.facts(f).calls.map((call) => ({ call, fn: f })));
}
/** A contract whose fallback forwards every call to another contract's code. */
export function isDelegatingProxy(analysis: Analysis, contract: Contract): boolean {
  return allFunctions(contract)
    .filter((fn) => fn.kind === 'fallback' || fn.kind === 'receive')
    .some((fn) =>
      reachable(analysis, fn).some(
        (f) =>
          analysis.facts(f).calls.some((c) => c.kind === 'delegatecall') ||
          assemblyCalls(f, new Set(['delegatecall'])).length > 0,
      ),
    );
}
