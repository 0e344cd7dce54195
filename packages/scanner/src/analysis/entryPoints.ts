import type { FunctionIR } from '@bulwark/solidity';

/** A function an outside account can call directly: public/external, with a body, in a contract. */
export function isExternallyCallable(fn: FunctionIR): boolean {
  if (fn.kind === 'modifier' || fn.kind === 'constructor' || !fn.body) return false;
  if (fn.contract.kind === 'interface' || fn.contract.kind === 'library' || fn.contract.name === '<file>') return false;
  return fn.visibility === 'public' || fn.visibility === 'external';
}
/** A state-changing entry point (views cannot send ether or write storage). */
export function isStateChangingEntry(fn: FunctionIR): boolean {
  return isExternallyCallable(fn) && fn.mutability !== 'view' && fn.mutability !== 'pure';
}
