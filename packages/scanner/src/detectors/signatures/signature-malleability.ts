import type { Analysis, FunctionIR, Node } from '@bulwark/solidity';
import { qualifiedName, walk } from '@bulwark/solidity';
import { literalValue } from '../../analysis/constants.ts';
import { mentions, unparen } from '../../analysis/expressions.ts';
import { localAssignments } from '../../analysis/locals.ts';
import { entryPointsReaching, type Recovery, recoveries } from '../../analysis/signatures.ts';
import { defineDetector } from '../../detector.ts';

/** secp256k1n / 2: the largest `s` a canonical signature may have. */
const halfOrder = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

export const signatureMalleability = defineDetector({
  id: 'signature-malleability',
  category: 'signatures',
  title: 'Malleable ecrecover signature',
  impact: 'medium',
  confidence: 'medium',
  description:
    'For every valid ECDSA signature (v, r, s) there is a second one, (v ^ 1, r, n - s), that recovers the same signer. Raw ecrecover accepts both unless `s` is required to be in the lower half of the curve order. Where the signature or its hash serves as a "used" marker, the second form passes as a fresh signature.',
  scenario:
    'A contract records `used[keccak256(signature)] = true` to stop replays. An attacker flips the signature to its twin (s → n - s, v → 27/28 swapped), which hashes differently, and replays the authorised action.',
  recommendation:
    "Use OpenZeppelin's ECDSA.recover, which rejects high-s signatures, or require `uint256(s) <= 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0`; key replay protection on a nonce or the digest, never on the signature bytes.",
  swc: ['SWC-117'],
  owasp: ['SC01:2025'],
  control: 'SBD-07',
  detect({ functions, analysis, report }) {
    for (const fn of functions) {
      for (const recovery of recoveries(fn, analysis)) {
        if (!recovery.raw || checksLowS(recovery, fn, analysis)) continue;
        if (entryPointsReaching(fn, analysis).length === 0 && fn.contract.kind === 'library') continue;
        const keyed = signatureKeyedState(recovery, fn, analysis);
        report({
          node: recovery.call.node,
          fn,
          message: keyed
            ? `${qualifiedName(fn)} accepts malleable signatures in \`${fn.contract.unit.source.textOf(recovery.call.node)}\` and keys ${keyed} on the signature: the twin signature (n - s) passes as unused.`
            : `${qualifiedName(fn)} calls ecrecover without restricting \`s\` to the lower half order: each signature has a second valid form, harmful wherever signatures are treated as unique.`,
          impact: keyed ? undefined : 'low',
        });
      }
    }
  },
});

/** A condition bounds `s` by the half order (or compares it with a large constant). */
function checksLowS(recovery: Recovery, fn: FunctionIR, analysis: Analysis): boolean {
  const names = new Set<string>();
  const s = recovery.s ? unparen(recovery.s) : undefined;
  if (s?.type === 'Identifier') names.add(s.name);
  for (const condition of analysis.facts(fn).conditions) {
    let found = false;
    walk(condition, (node) => {
      if (found) return false;
      if (node.type !== 'BinaryOperation' || !['<', '>', '<=', '>='].includes(node.operator)) return undefined;
      const constant = literalValue(unparen(node.left)) ?? literalValue(unparen(node.right));
      if (constant !== undefined && constant >= halfOrder - 1n && constant <= halfOrder + 1n) found = true;
      return undefined;
    });
    if (found) return true;
  }
  return false;
}

/** A state mapping written at a key derived from the signature bytes or r/s values. */
function signatureKeyedState(recovery: Recovery, fn: FunctionIR, analysis: Analysis): string | undefined {
  const parts = new Set<string>();
  for (const part of recovery.signature) {
    const node = unparen(part);
    if (node.type === 'Identifier') parts.add(node.name);
  }
  // Locals computed from the signature (`bytes32 sigHash = keccak256(signature)`).
  for (let round = 0; round < 3; round++) {
    for (const [name, values] of localAssignments(fn)) {
      if (values.some((value) => mentions(value, parts))) parts.add(name);
    }
  }
  for (const write of analysis.facts(fn).stateWrites) {
    const target: Node | undefined = write.node.type === 'BinaryOperation' ? write.node.left : undefined;
    if (target?.type === 'IndexAccess' && target.index && mentions(target.index, parts)) return write.variable.name;
  }
  return undefined;
}
