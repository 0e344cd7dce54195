import {
  type Analysis,
  admitsCompilerBelow,
  type CallSite,
  dottedName,
  type FunctionIR,
  findStateVariable,
  type Node,
  type StateVariable,
  unwrapCallee,
} from '@bulwark/solidity';
import { isLiteralZero } from './constants.ts';

/** A state access placed in the function that performs it (or the call that leads to it). */
export type Access = { variable: StateVariable; path: string; node: Node; fn: FunctionIR; checked: boolean };
/** One internal call on the way from an entry point to a call: the site and the function holding it. */
export type ChainLink = { site: CallSite; fn: FunctionIR };
/** A call as reached from one entry point, through internal and library calls. */
export type CallContext = {
  entry: FunctionIR;
  /** Function holding the call. */
  fn: FunctionIR;
  call: CallSite;
  /** Internal call sites from `entry` down to `fn`, outermost first. */
  chain: ChainLink[];
  /** How much control the call hands over. */
  kind: CallClass;
};

/** How much control a call hands to the callee. */
export type CallClass =
  /** Sends ether and forwards enough gas to re-enter. */
  | 'eth'
  /** send/transfer (or a call with a 2300 gas stipend): re-entry only if gas costs drop. */
  | 'stipend'
  /** Calls another contract's code without ether. */
  | 'external'
  /** No control transfer worth considering (internal, builtin, staticcall, library, this). */
  | 'none';
const stipendGas = 2300;
export function classifyCall(analysis: Analysis, fn: FunctionIR, call: CallSite): CallClass {
  if (call.kind === 'send' || call.kind === 'transfer') return 'stipend';
  if (call.kind !== 'low-level-call' && call.kind !== 'external') return 'none';
  if (call.kind === 'external' && dottedName(call.receiver) === 'this') return 'none';
  if (isStaticCall(analysis, fn, call)) return 'none';
  const { options } = unwrapCallee(call.node.expression);
  const gas = options.gas;
  const limitedGas = gas?.type === 'NumberLiteral' && Number(gas.number) <= stipendGas;
  if (call.value && !isLiteralZero(call.value)) return limitedGas ? 'stipend' : 'eth';
  return limitedGas ? 'none' : 'external';
}
/**
 * The one answer to "can this call change state or re-enter": a call to a view or pure function
 * (or a public variable's getter) of another contract runs with STATICCALL from solc 0.5 on, so
 * the callee cannot change state. Code that a 0.4 compiler may build makes a plain CALL whatever
 * the interface declares (`constant`/`view` was not enforced): the callee can do anything.
 */
export function isStaticCall(analysis: Analysis, fn: FunctionIR, call: CallSite): boolean {
  return (
    call.kind === 'external' &&
    !call.value &&
    callsView(analysis, fn, call) &&
    !admitsCompilerBelow(fn.contract.unit, [0, 5, 0])
  );
}
function callsView(analysis: Analysis, fn: FunctionIR, call: CallSite): boolean {
  if (call.targets.some((t) => t.mutability === 'view' || t.mutability === 'pure')) return true;
  if (call.targets.length > 0) return false;
  const type = analysis.typeOf(call.receiver, fn);
  const target = type.kind === 'user' ? analysis.program.contract(type.name, fn.contract.unit) : undefined;
  const getter = target ? findStateVariable(target, call.name) : undefined;
  return getter?.visibility === 'public';
}
