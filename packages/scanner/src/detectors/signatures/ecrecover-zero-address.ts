import type { Analysis, FunctionIR, Node } from '@bulwark/solidity';
import { dottedName, qualifiedName, walk } from '@bulwark/solidity';
import { literalValue } from '../../analysis/constants.ts';
import { unparen } from '../../analysis/expressions.ts';
import { recoveries } from '../../analysis/signatures.ts';
import { defineDetector } from '../../detector.ts';

export const ecrecoverZeroAddress = defineDetector({
  id: 'ecrecover-zero-address',
  category: 'signatures',
  title: 'ecrecover result not checked against address(0)',
  impact: 'medium',
  confidence: 'medium',
  description:
    'ecrecover returns address(0) for an invalid signature instead of reverting. Comparing its result with a signer that can be zero (an unset owner, a signer the caller names) lets any garbage signature pass.',
  scenario:
    'A permit function checks `ecrecover(digest, v, r, s) == owner` with `owner` taken from the call. The attacker passes owner = address(0) and a malformed signature; ecrecover returns address(0), the check passes and the attacker acts for the zero address (or for an uninitialised signer).',
  recommendation:
    "Require the recovered address to be non-zero (`require(signer != address(0))`), or use OpenZeppelin's ECDSA.recover, which reverts on invalid signatures.",
  swc: ['SWC-117'],
  owasp: ['SC04:2025'],
  control: 'SBD-07',
  detect({ functions, analysis, report }) {
    for (const fn of functions) {
      for (const recovery of recoveries(fn, analysis)) {
        if (!recovery.raw) continue;
        const node = recovery.call.node;
        // Names holding the result, and the expressions it is compared with.
        const holders = new Set<string>(recovery.call.storedIn);
        const compared = comparedWith(node, holders, fn);
        if (compared.length === 0 && holders.size === 0) continue; // result unused for a decision
        if (zeroChecked([...holders], compared, fn, analysis)) continue;
        // A signer the caller names is the dangerous case; a stored signer is zero only if unset.
        const callerNamed = compared.some((other) =>
          [...analysis.taintOf(other, fn)].some((s) => s.startsWith('param:') || s === 'user-input'),
        );
        report({
          node,
          fn,
          confidence: callerNamed ? undefined : 'low',
          message: `${qualifiedName(fn)} uses \`${fn.contract.unit.source.textOf(node)}\` without rejecting address(0): an invalid signature recovers to address(0) and matches any signer that is zero.`,
        });
      }
    }
  },
});

/** The other sides of equality checks against the recovered address. */
function comparedWith(call: Node, holders: Set<string>, fn: FunctionIR): Node[] {
  const out: Node[] = [];
  walk(fn.body!, (node) => {
    if (node.type !== 'BinaryOperation' || (node.operator !== '==' && node.operator !== '!=')) return undefined;
    for (const [side, other] of [
      [node.left, node.right],
      [node.right, node.left],
    ]) {
      const expression = unparen(side);
      if (expression === call || (expression.type === 'Identifier' && holders.has(expression.name))) out.push(other);
    }
    return undefined;
  });
  return out;
}

function isZeroAddress(node: Node): boolean {
  const expression = unparen(node);
  if (literalValue(expression) === 0n) return true;
  return (
    expression.type === 'FunctionCall' &&
    expression.arguments?.length === 1 &&
    (expression.expression?.type === 'ElementaryTypeName' || dottedName(expression.expression) === 'address') &&
    literalValue(unparen(expression.arguments[0])) === 0n
  );
}

/** Some condition compares the result, or what it is compared with, to address(0). */
function zeroChecked(holders: string[], compared: Node[], fn: FunctionIR, analysis: Analysis): boolean {
  const source = fn.contract.unit.source;
  const keys = new Set([...holders, ...compared.map((c) => source.textOf(unparen(c)).replace(/\s+/g, ''))]);
  for (const condition of analysis.facts(fn).conditions) {
    let found = false;
    walk(condition, (node) => {
      if (found) return false;
      if (node.type !== 'BinaryOperation') return undefined;
      const left = source.textOf(unparen(node.left)).replace(/\s+/g, '');
      const right = source.textOf(unparen(node.right)).replace(/\s+/g, '');
      if (node.operator === '==' || node.operator === '!=') {
        if ((keys.has(left) && isZeroAddress(node.right)) || (keys.has(right) && isZeroAddress(node.left)))
          found = true;
      }
      // `recovered > lastOwner` (Safe's ordering check) rules out zero as well.
      if ((node.operator === '>' && holders.includes(left)) || (node.operator === '<' && holders.includes(right)))
        found = true;
      return undefined;
    });
    if (found) return true;
  }
  // A signer read from state that only a non-zero value ever reaches is not checked here; stay conservative.
  return false;
}
