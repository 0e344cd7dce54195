import { ed25519 } from '@noble/curves/ed25519';
import { secp256k1 } from '@noble/curves/secp256k1';
import { sha256 } from '@noble/hashes/sha2';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils';
import type { SigningKey, VerifyingKey } from '../approvals/keys.ts';

/** A DSSE envelope (https://github.com/secure-systems-lab/dsse, envelope.md). */
export type Envelope = {
  payloadType: string;
  /** Standard base64 of the payload bytes. */
  payload: string;
  signatures: { keyid: string; sig: string }[];
};

/**
 * DSSE's pre-authentication encoding, what is signed:
 * `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, LEN being the byte length in ASCII decimal.
 * Binding the type stops a signature on one kind of payload from passing for another.
 */
export function pae(payloadType: string, payload: Uint8Array): Uint8Array {
  const type = utf8ToBytes(payloadType);
  return concatBytes(utf8ToBytes(`DSSEv1 ${type.length} `), type, utf8ToBytes(` ${payload.length} `), payload);
}

/**
 * Signs the PAE: ed25519 over the bytes; secp256k1 ECDSA over their sha256, DER-encoded (as
 * DSSE's ECDSA signers do).
 */
export function signEnvelope(payloadType: string, payload: Uint8Array, key: SigningKey): Envelope {
  const message = pae(payloadType, payload);
  const sig =
    key.algorithm === 'ed25519'
      ? ed25519.sign(message, key.privateKey)
      : secp256k1.sign(sha256(message), key.privateKey, { lowS: true }).toDERRawBytes();
  return {
    payloadType,
    payload: Buffer.from(payload).toString('base64'),
    signatures: [{ keyid: key.keyId, sig: Buffer.from(sig).toString('base64') }],
  };
}

/** Whether one of the envelope's signatures is `key`'s over its PAE. Never throws on bad input. */
export function envelopeSignedBy(envelope: Envelope, key: VerifyingKey): boolean {
  if (!key.publicKey) return false;
  const payload = decodeBase64(envelope.payload);
  if (!payload) return false;
  const message = pae(envelope.payloadType, payload);
  return envelope.signatures.some((signature) => {
    const sig = decodeBase64(signature.sig);
    if (!sig) return false;
    try {
      return key.algorithm === 'ed25519'
        ? ed25519.verify(sig, message, key.publicKey!)
        : secp256k1.verify(sig, sha256(message), key.publicKey!, { format: 'der' });
    } catch {
      return false;
    }
  });
}

/** Strict standard or URL-safe base64 (DSSE accepts both); undefined when it is not. */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (typeof text !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(text) || text.replace(/=+$/, '').length % 4 === 1)
    return undefined;
  return new Uint8Array(Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64'));
}
