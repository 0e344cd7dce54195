import {
  type Analysis,
  assignedBases,
  type FunctionIR,
  findAll,
  findStateVariable,
  type Node,
  type StateVariable,
} from '@bulwark/solidity';
import { assemblyCalls } from './assembly.ts';
import { reachable } from './contracts.ts';

/** True when `fn` or anything it reaches emits an event (0.4 calls, `emit`, assembly logs). */
export function emitsEvent(analysis: Analysis, fn: FunctionIR): boolean {
  return reachable(analysis, fn).some(
    (f) =>
      Boolean(f.body && findAll(f.body, 'EmitStatement').length > 0) ||
      analysis.facts(f).calls.some((c) => c.kind === 'event') ||
      assemblyCalls(f, new Set(['log0', 'log1', 'log2', 'log3', 'log4'])).length > 0,
  );
}
export function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
/** The root state variable of an assignment target. */
export function writtenRoot(fn: FunctionIR, target: Node): StateVariable | undefined {
  const base = assignedBases(target)[0];
  return base?.type === 'Identifier' ? findStateVariable(fn.contract, base.name) : undefined;
}
