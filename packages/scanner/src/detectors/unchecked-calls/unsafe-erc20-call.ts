import { type Analysis, type CallSite, type FunctionIR, qualifiedName, withoutConversions } from '@bulwark/solidity';
import { erc20Call } from '../../analysis/callResults.ts';
import { sourceText } from '../../analysis/sourceText.ts';
import { defineDetector } from '../../detector.ts';

export const unsafeErc20Call = defineDetector({
  id: 'unsafe-erc20-call',
  category: 'unchecked-calls',
  title: 'ERC-20 transfer/approve without SafeERC20',
  impact: 'medium',
  confidence: 'medium',
  description:
    'transfer, transferFrom and approve are called directly on an ERC-20 token. Some tokens return false instead of reverting on failure (the result must be checked); others (USDT, BNB) return nothing, so a call through an interface that expects a bool reverts. Ignoring the result loses failures; checking it directly breaks on the second kind.',
  scenario:
    'A vault credits a deposit after `token.transferFrom(user, vault, amount)` without checking the result. With a token that returns false on insufficient balance, the attacker is credited for tokens never received and withdraws real ones.',
  recommendation:
    "Use OpenZeppelin's SafeERC20 (`safeTransfer`, `safeTransferFrom`, `forceApprove`), which handles both kinds of token.",
  swc: ['SWC-104'],
  owasp: ['SC06:2025'],
  control: 'SBD-07',
  detect({ functions, analysis, report }) {
    for (const fn of functions) {
      for (const call of analysis.facts(fn).calls) {
        const token = erc20Call(analysis, fn, call);
        if (!token) continue;
        const code = sourceText(fn, call.node);
        if (call.returnUse === 'unused') {
          if (consumedByToken(analysis, fn, call)) continue;
          report({
            node: call.node,
            fn,
            message: token.declaresBool
              ? `${qualifiedName(fn)} ignores the bool returned by \`${code}\`; a token that returns false on failure leaves the ${token.method} undone while the function carries on.`
              : `${qualifiedName(fn)} calls \`${code}\` through ${token.tokenType}, which declares no return value, so a token that returns false on failure goes unnoticed.`,
          });
        } else if (token.declaresBool) {
          report({
            node: call.node,
            fn,
            message: `${qualifiedName(fn)} calls \`${code}\` directly; tokens that return no value (USDT, BNB) make this call revert, so they cannot be used. SafeERC20 accepts both kinds.`,
            impact: 'low',
          });
        }
      }
    }
  },
});

/**
 * Tokens sent to the token contract itself and consumed there by a later call in the same function
 * (`pair.transferFrom(user, pair, liquidity); pair.burn(to)`): the token counts what it holds, so a
 * transfer that did not happen makes that call fail; nothing carries on unpaid.
 */
function consumedByToken(analysis: Analysis, fn: FunctionIR, call: CallSite): boolean {
  const recipient =
    call.name === 'transferFrom' ? call.arguments[1] : call.name === 'transfer' ? call.arguments[0] : undefined;
  const context = { analysis, fn };
  const token = call.receiver && withoutConversions(call.receiver, context);
  const to = recipient && withoutConversions(recipient, context);
  if (token?.type !== 'Identifier' || to?.type !== 'Identifier' || token.name !== to.name) return false;
  const end = call.node.range?.[1] ?? 0;
  return analysis.facts(fn).calls.some((later) => {
    if (later.kind !== 'external' || !later.receiver || (later.node.range?.[0] ?? 0) <= end) return false;
    const receiver = withoutConversions(later.receiver, context);
    return receiver.type === 'Identifier' && receiver.name === token.name;
  });
}
