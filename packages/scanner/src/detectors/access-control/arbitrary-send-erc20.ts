import { type CallSite, dottedName, type Node, qualifiedName, type TaintSource } from '@bulwark/solidity';
import { describeSources, isCallerControlled, readsStoredEntry } from '../../analysis/callerSources.ts';
import { isStateChangingEntry } from '../../analysis/entryPoints.ts';
import { argumentBehind, framesOf, sourcesOf } from '../../analysis/frames.ts';
import { isGuarded } from '../../analysis/guards.ts';
import { sourceText } from '../../analysis/sourceText.ts';
import { defineDetector } from '../../detector.ts';

export const arbitrarySendErc20 = defineDetector({
  id: 'arbitrary-send-erc20',
  category: 'access-control',
  title: 'transferFrom from an address the caller chooses',
  impact: 'high',
  confidence: 'high',
  description:
    'A public function without access control calls transferFrom (or safeTransferFrom) with a `from` the caller supplies instead of msg.sender. Anyone who approved this contract can have their tokens moved by someone else.',
  scenario:
    "A user approves the contract for an unlimited amount. An attacker calls the function with the user's address as `from` and their own as the recipient (or as the beneficiary of the action), and takes the tokens.",
  recommendation:
    'Use msg.sender as `from`, or require that msg.sender is `from` or was authorised by it (a signature, an allowance to msg.sender, a permit).',
  swc: [],
  owasp: ['SC01:2025'],
  control: 'SBD-07',
  detect({ functions, analysis, report }) {
    for (const fn of functions) {
      if (!isStateChangingEntry(fn)) continue;
      const frames = framesOf(analysis, fn);
      if (isGuarded(analysis, fn)) continue;
      const allCalls = frames.flatMap((frame) => analysis.facts(frame.fn).calls.map((call) => ({ frame, call })));
      for (const { frame, call } of allCalls) {
        const from = fromArgument(call);
        if (!from || readsStoredEntry(analysis, frame.fn, from)) continue;
        const sources = [...sourcesOf(analysis, frame, from)];
        if (sources.some((s) => s === 'msg.sender' || s === 'tx.origin')) continue;
        const controlled = sources.filter(isCallerControlled);
        if (controlled.length === 0) continue;
        // `from` consented in this transaction: it signed a permit, or it was called and answered
        // (a flash-loan receiver repaying through transferFrom).
        const consented = allCalls.some(({ frame: other, call: c }) => {
          if (c === call) return false;
          if (c.name === 'permit' || c.name === 'safePermit') {
            const owner = fromOfPermit(c);
            return owner !== undefined && overlaps(sourcesOf(analysis, other, owner), controlled);
          }
          return (
            c.kind === 'external' &&
            c.receiver !== undefined &&
            overlaps(sourcesOf(analysis, other, c.receiver), controlled)
          );
        });
        if (consented) continue;
        // Pulled into this contract, the tokens do not reach the attacker directly: the victim's
        // allowance is spent against their will (and whatever the contract credits goes to `from`).
        const toSelf = isSelf(argumentBehind(frame, toArgument(call)).node);
        // A migration or wrapper: pulled in, and `from` is paid in kind (new tokens minted or sent
        // to it) in the same call. Spending an allowance for what its owner approved it for.
        const paidBack =
          toSelf &&
          allCalls.some(
            ({ frame: other, call: c }) =>
              creditsRecipient.has(c.name) &&
              c.arguments[0] !== undefined &&
              overlaps(sourcesOf(analysis, other, c.arguments[0]), controlled),
          );
        if (paidBack) continue;
        report({
          node: frame.via ?? call.node,
          fn,
          message: `${qualifiedName(fn)} can be called by anyone and moves tokens from ${describeSources(controlled)} in \`${sourceText(frame.fn, call.node)}\`; ${toSelf ? "any caller can spend another account's allowance to this contract" : 'whoever approved this contract can be drained by another caller'}.`,
          impact: toSelf ? 'medium' : undefined,
          confidence: toSelf ? 'medium' : undefined,
          related:
            frame.fn !== fn
              ? [
                  {
                    node: call.node,
                    unit: frame.fn.contract.unit,
                    message: `transferFrom in ${qualifiedName(frame.fn)}`,
                  },
                ]
              : [],
        });
      }
    }
  },
});

/** Calls whose first argument receives tokens: `mint(to, v)`, `transfer(to, v)`. */
const creditsRecipient = new Set(['mint', '_mint', 'safeMint', '_safeMint', 'transfer', 'safeTransfer']);

/** The `from` of a transferFrom-like call: `t.transferFrom(from, to, v)`, `L.safeTransferFrom(t, from, to, v)`. */
function fromArgument(call: CallSite): Node | undefined {
  if (call.name !== 'transferFrom' && call.name !== 'safeTransferFrom') return undefined;
  const args = call.arguments;
  if (call.kind === 'external') {
    if (!call.receiver || dottedName(call.receiver) === 'this') return undefined;
    return args.length >= 3 ? args[0] : undefined;
  }
  if (call.kind === 'library') {
    const direct =
      call.receiver !== undefined && call.targets.some((t) => t.contract.name === dottedName(call.receiver));
    if (direct) return args.length >= 4 ? args[1] : undefined;
    return args.length >= 3 ? args[0] : undefined;
  }
  return undefined;
}

/** The recipient of a transferFrom-like call. */
function toArgument(call: CallSite): Node | undefined {
  const from = fromArgument(call);
  const index = from ? call.arguments.indexOf(from) : -1;
  return index >= 0 ? call.arguments[index + 1] : undefined;
}

function isSelf(node: Node | undefined): boolean {
  if (!node) return false;
  if (node.type === 'Identifier' && node.name === 'this') return true;
  return node.type === 'FunctionCall' && node.arguments?.length === 1 && isSelf(node.arguments[0]);
}

/** The owner of `t.permit(owner, spender, ...)` or `L.safePermit(t, owner, ...)`. */
function fromOfPermit(call: CallSite): Node | undefined {
  if (
    call.kind === 'library' &&
    call.receiver &&
    call.targets.some((t) => t.contract.name === dottedName(call.receiver))
  )
    return call.arguments[1];
  return call.arguments[0];
}

function overlaps(a: Set<TaintSource>, b: TaintSource[]): boolean {
  return b.some((s) => s !== 'user-input' && a.has(s));
}
