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
// No prototype: a call named `constructor` or `toString` must not match.
const tokenTransfers: Record<string, { arguments: number; recipient: number }> = Object.assign(Object.create(null), {
  transfer: { arguments: 2, recipient: 0 },
  transferFrom: { arguments: 3, recipient: 1 },
  safeTransfer: { arguments: 2, recipient: 0 },
  safeTransferFrom: { arguments: 3, recipient: 1 },
});
/** Payments made in a function body, in source order. */
export function valueTransfers(fn: FunctionIR, analysis: Analysis): ValueTransfer[] {
  const out: ValueTransfer[] = [];
  if (!fn.body) return out;
  for (const call of analysis.facts(fn).calls) {
    if (call.kind === 'transfer' || call.kind === 'send') {
      out.push({ node: call.node, call, asset: 'ether', recipient: call.receiver, amount: call.value });
      continue;
    }
    if ((call.kind === 'low-level-call' || call.kind === 'external') && call.value && !isLiteralZero(call.value)) {
      out.push({ node: call.node, call, asset: 'ether', recipient: call.receiver, amount: call.value });
      continue;
    }
    const shape = tokenTransfers[call.name];
    if (!shape || (call.kind !== 'external' && call.kind !== 'library')) continue;
    // `token.safeTransfer(to, amount)` through `using SafeERC20 for IERC20` has the token as receiver.
    const args = call.arguments;
    if (args.length !== shape.arguments) continue;
    out.push({
      node: call.node,
      call,
      asset: 'token',
      recipient: args[shape.recipient],
      amount: args[args.length - 1],
    });
  }
  return out;
}
