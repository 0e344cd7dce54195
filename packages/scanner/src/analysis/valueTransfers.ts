import type { Analysis, CallSite, FunctionIR, Node } from '@bulwark/solidity';
import { isLiteralZero } from './constants.ts';

/** A payment: ether (`transfer`, `send`, `call{value:}`) or an ERC-20 `transfer`/`transferFrom`. */
export type ValueTransfer = {
  node: Node;
  call: CallSite;
  asset: 'ether' | 'token';
  /** Who receives the value. */
  recipient: Node | undefined;
  amount: Node | undefined;
};
// No prototype: a call named `constructor` or `toString` must not match. `data`: ERC-721's
// `safeTransferFrom(from, to, id, data)` may add a trailing argument.
const tokenTransfers: Record<string, { arguments: number; recipient: number; data?: true }> = Object.assign(
  Object.create(null),
  {
    transfer: { arguments: 2, recipient: 0 },
    transferFrom: { arguments: 3, recipient: 1 },
    safeTransfer: { arguments: 2, recipient: 0 },
    safeTransferFrom: { arguments: 3, recipient: 1, data: true },
  },
);
/** The payment one call makes, if any: the one answer to "does this call move value, to whom". */
export function transferOf(call: CallSite): ValueTransfer | undefined {
  if (call.kind === 'transfer' || call.kind === 'send')
    return { node: call.node, call, asset: 'ether', recipient: call.receiver, amount: call.value };
  if ((call.kind === 'low-level-call' || call.kind === 'external') && call.value && !isLiteralZero(call.value))
    return { node: call.node, call, asset: 'ether', recipient: call.receiver, amount: call.value };
  const shape = tokenTransfers[call.name];
  if (!shape || (call.kind !== 'external' && call.kind !== 'library')) return undefined;
  // A contract calling its own token functions moves nothing out.
  if (call.receiver?.type === 'Identifier' && call.receiver.name === 'this') return undefined;
  const args = call.arguments;
  // `token.safeTransfer(to, x)` (bound, or an external call) has the token as receiver;
  // `SafeERC20.safeTransfer(token, to, x)` written out passes it first.
  const offset = call.kind === 'library' && args.length === shape.arguments + 1 ? 1 : 0;
  const expected = shape.arguments + offset;
  if (args.length !== expected && !(shape.data && call.kind === 'external' && args.length === expected + 1))
    return undefined;
  return {
    node: call.node,
    call,
    asset: 'token',
    recipient: args[offset + shape.recipient],
    amount: args[offset + shape.arguments - 1],
  };
}
/** Payments made in a function body, in source order. */
export function valueTransfers(fn: FunctionIR, analysis: Analysis): ValueTransfer[] {
  if (!fn.body) return [];
  return analysis.facts(fn).calls.flatMap((call) => transferOf(call) ?? []);
}
