import {
  type Analysis,
  type CallSite,
  type Contract,
  dottedName,
  type FunctionIR,
  findAll,
  findStateVariable,
  type Node,
  type Program,
  type StateVariable,
} from '@bulwark/solidity';
import { assemblyCalls } from './assembly.ts';
import { isCallerControlled } from './callerSources.ts';
import { entryPoints, reachable, reachableCalls } from './contracts.ts';
import { declaredInitialiser } from './locals.ts';
import { transferOf } from './valueTransfers.ts';

export type ValueMoveKind = 'ether-out' | 'token-out' | 'deposit' | 'ledger';
export type ValueMove = { kind: ValueMoveKind; node: Node; fn: FunctionIR };
/** Ether that leaves through `call`: a literal zero value moves nothing. */
export function sendsEther(call: CallSite): boolean {
  return transferOf(call)?.asset === 'ether';
}
/** ERC-20/721 moves (`token.transfer(to, x)`, `SafeERC20.safeTransfer(token, to, x)`, `call(transfer.selector, ...)`). */
export function movesTokens(call: CallSite, fn: FunctionIR, program: Program): boolean {
  if (call.kind === 'external' || call.kind === 'library') return transferOf(call)?.asset === 'token';
  if (call.kind === 'low-level-call') {
    const payload = call.arguments[0];
    const selector = payload ? encodedSelector(payload, fn, program) : undefined;
    return selector === 'transfer' || selector === 'transferFrom';
  }
  return false;
}
const knownSelectors: Record<string, string> = {
  '0xa9059cbb': 'transfer',
  '0x23b872dd': 'transferFrom',
};
/** The function an `abi.encodeWithSelector/WithSignature/Call` payload calls, when it can be told. */
export function encodedSelector(payload: Node, fn: FunctionIR, program: Program): string | undefined {
  if (payload.type !== 'FunctionCall') return undefined;
  const name = dottedName(payload.expression);
  const first = payload.arguments?.[0];
  if (!first) return undefined;
  if (name === 'abi.encodeWithSignature' && first.type === 'StringLiteral') return first.value.split('(')[0];
  if (name === 'abi.encodeCall' && first.type === 'MemberAccess') return first.memberName;
  if (name !== 'abi.encodeWithSelector') return undefined;
  return selectorOf(first, fn, program, 0);
}
function selectorOf(node: Node, fn: FunctionIR, program: Program, depth: number): string | undefined {
  if (depth > 3) return undefined;
  if (node.type === 'MemberAccess' && node.memberName === 'selector' && node.expression?.type === 'MemberAccess')
    return node.expression.memberName;
  if (node.type === 'NumberLiteral' || node.type === 'HexLiteral')
    return knownSelectors[String(node.number ?? node.value).toLowerCase()];
  const text = fn.contract.unit.source.textOf(node);
  const signature = /["']([A-Za-z_]\w*)\(/.exec(text);
  if (signature && /keccak256|sha3/.test(text)) return signature[1];
  const constant = constantValue(node, fn, program);
  return constant ? selectorOf(constant.value, constant.fn, program, depth + 1) : undefined;
}
/** The initialiser of a constant (state or library constant, or a local set once from one). */
export function constantValue(
  node: Node,
  fn: FunctionIR,
  program: Program,
): { value: Node; fn: FunctionIR } | undefined {
  if (node.type === 'Identifier') {
    const state = findStateVariable(fn.contract, node.name);
    if (state?.initialValue && (state.constant || state.immutable)) return { value: state.initialValue, fn };
    const local = fn.body ? declaredInitialiser(fn, node.name) : undefined;
    if (local) return { value: local, fn };
    return undefined;
  }
  if (node.type === 'MemberAccess' && node.expression?.type === 'Identifier') {
    const owner = program.contract(node.expression.name, fn.contract.unit);
    const state = owner?.stateVariables.find((v) => v.name === node.memberName);
    const ownerFn = owner?.functions[0];
    if (state?.initialValue && state.constant) return { value: state.initialValue, fn: ownerFn ?? fn };
  }
  return undefined;
}
/** `mapping(address => uint)`: a balance ledger. */
export function isLedger(variable: StateVariable): boolean {
  const type = variable.type;
  return (
    type.kind === 'mapping' &&
    type.key.kind === 'elementary' &&
    type.key.name === 'address' &&
    type.value.kind === 'elementary' &&
    /^uint\d*$/.test(type.value.name)
  );
}
/** How a write changes a ledger entry: credit (`+=`, `= a + b`), debit (`-=`, `= a - b`, `.sub`). */
export function ledgerDirection(write: Node): 'credit' | 'debit' | 'set' {
  if (write.type === 'UnaryOperation')
    return write.operator === '--' || write.operator === 'delete' ? 'debit' : 'credit';
  if (write.type !== 'BinaryOperation') return 'set';
  if (write.operator === '+=') return 'credit';
  if (write.operator === '-=') return 'debit';
  if (write.operator !== '=') return 'set';
  const right = write.right;
  if (findAll(right, (n) => n.type === 'BinaryOperation' && n.operator === '-').length > 0) return 'debit';
  if (findAll(right, (n) => n.type === 'FunctionCall' && n.expression?.memberName === 'sub').length > 0) return 'debit';
  if (findAll(right, (n) => n.type === 'BinaryOperation' && n.operator === '+').length > 0) return 'credit';
  if (findAll(right, (n) => n.type === 'FunctionCall' && n.expression?.memberName === 'add').length > 0)
    return 'credit';
  return 'set';
}
/** Ledger writes reached from `entry`, by variable, with their direction. */
export function ledgerWrites(
  analysis: Analysis,
  entry: FunctionIR,
): Map<StateVariable, { node: Node; fn: FunctionIR; direction: 'credit' | 'debit' | 'set' }[]> {
  const out = new Map<StateVariable, { node: Node; fn: FunctionIR; direction: 'credit' | 'debit' | 'set' }[]>();
  for (const f of reachable(analysis, entry)) {
    for (const write of analysis.facts(f).stateWrites) {
      if (!isLedger(write.variable)) continue;
      const list = out.get(write.variable) ?? [];
      list.push({ node: write.node, fn: f, direction: ledgerDirection(write.node) });
      out.set(write.variable, list);
    }
  }
  return out;
}
/** Ether that can stay in the contract between transactions: a payable entry that sends none on. */
/** Who receives a move of ether or tokens, when the call names it. */
export function recipientOf(call: CallSite): Node | undefined {
  // An encoded `call(abi.encodeWithSelector(...))` names only the token it calls.
  return transferOf(call)?.recipient ?? (call.kind === 'low-level-call' ? call.receiver : undefined);
}
/**
 * Aragon's transferToVault: a move whose recipient no caller picks (neither the caller nor an
 * argument, but a stored or looked-up address such as a recovery vault or treasury). An exploit
 * cannot send that value to itself, so it is no drain to stop.
 */
export function goesToFixedRecipient(analysis: Analysis, move: ValueMove): boolean {
  if (move.kind !== 'ether-out' && move.kind !== 'token-out') return false;
  const call = analysis.facts(move.fn).calls.find((c) => c.node === move.node);
  const recipient = call && recipientOf(call);
  if (!recipient) return false;
  const sources = analysis.taintOf(recipient, move.fn);
  return ![...sources].some(isCallerControlled);
}
export function acceptsEther(analysis: Analysis, contract: Contract): FunctionIR | undefined {
  return entryPoints(analysis, contract).find(
    (fn) =>
      fn.mutability === 'payable' &&
      !reachableCalls(analysis, fn).some(({ call }) => sendsEther(call)) &&
      assemblyCalls(fn, new Set(['call'])).length === 0,
  );
}
/** What value an entry point moves: ether or tokens out, deposits credited, or its own token ledger. */
export function valueMoves(analysis: Analysis, entry: FunctionIR, holdsEther: boolean): ValueMove[] {
  const out: ValueMove[] = [];
  const program = analysis.program;
  for (const { call, fn } of reachableCalls(analysis, entry)) {
    if (holdsEther && sendsEther(call)) out.push({ kind: 'ether-out', node: call.node, fn });
    else if (movesTokens(call, fn, program)) out.push({ kind: 'token-out', node: call.node, fn });
  }
  for (const [, writes] of ledgerWrites(analysis, entry)) {
    const credit = writes.find((w) => w.direction === 'credit');
    const debit = writes.find((w) => w.direction === 'debit');
    if (entry.mutability === 'payable' && credit) out.push({ kind: 'deposit', node: credit.node, fn: credit.fn });
    else if (credit && debit) out.push({ kind: 'ledger', node: debit.node, fn: debit.fn });
  }
  return out;
}
