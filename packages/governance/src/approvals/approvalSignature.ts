import { ed25519 } from '@noble/curves/ed25519';
import { secp256k1 } from '@noble/curves/secp256k1';
import { keccak_256 } from '@noble/hashes/sha3';
import { bytesToHex, concatBytes, utf8ToBytes } from '@noble/hashes/utils';
import { addressOf, parseHex, type SigningKey, type VerifyingKey } from './keys.ts';

/** Bump when the signed text changes; a v1 signature never verifies as another version's. */
export const approvalDomain = 'bulwark-release-approval:v1';

const targetPattern = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function isTarget(value: string): boolean {
  return targetPattern.test(value);
}

/**
 * The text an approver signs: the domain, the release digest and the target. A signature over
 * it cannot be replayed for another release, another target, or another kind of Bulwark signature.
 */
export function approvalMessage(digest: string, target: string): string {
  if (!/^[0-9a-f]{64}$/.test(digest)) throw new Error(`Not a release digest: ${digest}`);
  if (!isTarget(target)) throw new Error(`Not a target name: ${target}`);
  return `${approvalDomain}:${digest}:${target}`;
}

/**
 * EIP-191 (`personal_sign`) hash of the message, so an approver can sign with any Ethereum wallet
 * (`cast wallet sign`, a hardware wallet) as well as with `bulwark approve`.
 */
export function ethereumMessageHash(message: string): Uint8Array {
  const body = utf8ToBytes(message);
  return keccak_256(concatBytes(utf8ToBytes(`\x19Ethereum Signed Message:\n${body.length}`), body));
}

/**
 * Signs an approval message. ed25519: the signature over the UTF-8 text, hex. secp256k1: an
 * EIP-191 signature `r ‖ s ‖ v` (65 bytes, `0x` hex), as Ethereum wallets produce.
 */
export function signApprovalMessage(key: SigningKey, message: string): string {
  if (key.algorithm === 'ed25519') return bytesToHex(ed25519.sign(utf8ToBytes(message), key.privateKey));
  const signature = secp256k1.sign(ethereumMessageHash(message), key.privateKey, { lowS: true });
  return `0x${bytesToHex(signature.toCompactRawBytes())}${(27 + signature.recovery).toString(16)}`;
}

export type VerifyApprovalSignatureReturnType = { valid: true } | { valid: false; reason: string };

/** Checks that `signature` is `key`'s signature of `message`; never throws on bad input. */
export function verifyApprovalSignature(
  key: VerifyingKey,
  message: string,
  signature: string,
): VerifyApprovalSignatureReturnType {
  const bytes = parseHex(signature);
  if (!bytes) return { valid: false, reason: 'the signature is not hex' };
  try {
    if (key.algorithm === 'ed25519') {
      if (bytes.length !== 64)
        return { valid: false, reason: `an ed25519 signature has 64 bytes, not ${bytes.length}` };
      if (!key.publicKey) return { valid: false, reason: 'the approver has no public key' };
      return ed25519.verify(bytes, utf8ToBytes(message), key.publicKey)
        ? { valid: true }
        : { valid: false, reason: 'the signature does not verify' };
    }
    if (bytes.length !== 65)
      return { valid: false, reason: `a secp256k1 signature has 65 bytes (r, s, v), not ${bytes.length}` };
    const v = bytes[64]!;
    const recovery = v >= 27 ? v - 27 : v;
    if (recovery !== 0 && recovery !== 1) return { valid: false, reason: `the recovery byte ${v} is not 27 or 28` };
    const hash = ethereumMessageHash(message);
    const parsed = secp256k1.Signature.fromCompact(bytes.subarray(0, 64)).addRecoveryBit(recovery);
    if (parsed.hasHighS()) return { valid: false, reason: 'the signature has a high s value (malleable form)' };
    const recovered = parsed.recoverPublicKey(hash).toRawBytes(true);
    if (!secp256k1.verify(parsed, hash, recovered)) return { valid: false, reason: 'the signature does not verify' };
    return addressOf(recovered) === key.keyId
      ? { valid: true }
      : { valid: false, reason: 'the signature does not verify' };
  } catch {
    return { valid: false, reason: 'the signature is malformed' };
  }
}
