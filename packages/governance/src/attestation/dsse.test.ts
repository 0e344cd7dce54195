import { bytesToUtf8, utf8ToBytes } from '@noble/hashes/utils';
import { describe, expect, test } from 'vitest';
import { newKey } from '../gate/testing.ts';
import { decodeBase64, envelopeSignedBy, pae, signEnvelope } from './dsse.ts';

describe('dsse', () => {
  test('default: the PAE of the DSSE specification’s example', () => {
    // protocol.md: PAE("http://example.com/HelloWorld", "hello world")
    expect(bytesToUtf8(pae('http://example.com/HelloWorld', utf8ToBytes('hello world')))).toBe(
      'DSSEv1 29 http://example.com/HelloWorld 11 hello world',
    );
    // Lengths are in bytes, not characters.
    expect(bytesToUtf8(pae('t', utf8ToBytes('é')))).toBe('DSSEv1 1 t 2 é');
  });

  test('behavior: ed25519 and secp256k1 envelopes verify with their key only', () => {
    for (const algorithm of ['ed25519', 'secp256k1'] as const) {
      const key = newKey(algorithm);
      const envelope = signEnvelope('application/vnd.in-toto+json', utf8ToBytes('{"a":1}'), key);
      expect(envelope.signatures[0]!.keyid).toBe(key.keyId);
      expect(bytesToUtf8(decodeBase64(envelope.payload)!)).toBe('{"a":1}');
      expect(envelopeSignedBy(envelope, key)).toBe(true);
      expect(envelopeSignedBy(envelope, newKey(algorithm))).toBe(false);
    }
  });

  test('error: a changed payload, payload type or signature does not verify', () => {
    const key = newKey('ed25519');
    const envelope = signEnvelope('application/vnd.in-toto+json', utf8ToBytes('{"a":1}'), key);
    const payload = Buffer.from('{"a":2}').toString('base64');
    expect(envelopeSignedBy({ ...envelope, payload }, key)).toBe(false);
    expect(envelopeSignedBy({ ...envelope, payloadType: 'application/json' }, key)).toBe(false);
    const sig = Buffer.from(decodeBase64(envelope.signatures[0]!.sig)!);
    sig[0] = (sig[0] ?? 0) ^ 1;
    expect(
      envelopeSignedBy({ ...envelope, signatures: [{ keyid: key.keyId, sig: sig.toString('base64') }] }, key),
    ).toBe(false);
    expect(envelopeSignedBy({ ...envelope, signatures: [{ keyid: key.keyId, sig: '!!' }] }, key)).toBe(false);
  });
});
