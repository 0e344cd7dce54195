import type { Analysis, CallSite, FunctionIR } from '@bulwark/solidity';

/**
 * A call that verifies a signature: `ecrecover`, a library `recover` (OpenZeppelin's ECDSA) or
 * ERC-1271 `isValidSignature`. Safe-style owners authorise by signing, not by calling, so a
 * function that checks a signature restricts who may act through it.
 */
export function verifiesSignature(call: CallSite): boolean {
  return (
    (call.kind === 'builtin' && call.name === 'ecrecover') ||
    (call.kind === 'library' && call.name === 'recover') ||
    (call.kind === 'external' && call.name === 'isValidSignature')
  );
}

/** `fn` or an internal/library function it reaches verifies a signature (see verifiesSignature). */
export function reachesSignatureCheck(analysis: Analysis, fn: FunctionIR): boolean {
  return analysis.reachable(fn).some((f) => analysis.facts(f).calls.some(verifiesSignature));
}
