import { secp256k1 } from '@noble/curves/secp256k1';
import { bytesToHex } from '@noble/hashes/utils';
import { hashMessage } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect, test } from 'vitest';
import { newKey } from '../gate/testing.ts';
import {
  approvalMessage,
  ethereumMessageHash,
  signApprovalMessage,
  verifyApprovalSignature,
} from './approvalSignature.ts';
import { parsePublicKey } from './keys.ts';

const digest = 'a'.repeat(64);
const otherDigest = 'b'.repeat(64);

describe('approvalMessage', () => {
  test('default: domain, digest and target', () => {
    expect(approvalMessage(digest, 'production')).toBe(`bulwark-release-approval:v1:${digest}:production`);
  });

  test('error: a digest or target that could make the text ambiguous', () => {
    expect(() => approvalMessage('ABC', 'production')).toThrow(/digest/);
    expect(() => approvalMessage(digest, 'prod:staging')).toThrow(/target/);
  });
});

describe('signApprovalMessage / verifyApprovalSignature', () => {
  test('default: ed25519 signs and verifies', () => {
    const key = newKey('ed25519');
    const message = approvalMessage(digest, 'production');
    const signature = signApprovalMessage(key, message);
    expect(signature).toMatch(/^[0-9a-f]{128}$/);
    expect(verifyApprovalSignature(key, message, signature)).toEqual({ valid: true });
  });

  test('behavior: secp256k1 is an EIP-191 signature, the same an Ethereum wallet makes', async () => {
    const key = newKey('secp256k1');
    const message = approvalMessage(digest, 'production');
    const account = privateKeyToAccount(`0x${bytesToHex(key.privateKey)}`);
    expect(bytesToHex(ethereumMessageHash(message))).toBe(hashMessage(message).slice(2));
    expect(key.keyId).toBe(account.address.toLowerCase());
    const signature = signApprovalMessage(key, message);
    expect(signature).toBe(await account.signMessage({ message }));
    // Registered by address only: the signer is recovered from the signature.
    const byAddress = parsePublicKey(account.address, { algorithm: 'secp256k1', where: 'test', allowAddress: true });
    expect(verifyApprovalSignature(byAddress, message, signature)).toEqual({ valid: true });
  });

  test('error: a signature over another digest or target does not verify (replay)', () => {
    for (const algorithm of ['ed25519', 'secp256k1'] as const) {
      const key = newKey(algorithm);
      const signature = signApprovalMessage(key, approvalMessage(otherDigest, 'production'));
      expect(verifyApprovalSignature(key, approvalMessage(digest, 'production'), signature).valid).toBe(false);
      const staging = signApprovalMessage(key, approvalMessage(digest, 'staging'));
      expect(verifyApprovalSignature(key, approvalMessage(digest, 'production'), staging).valid).toBe(false);
    }
  });

  test('error: a forged signature (a flipped byte, another key, garbage) does not verify', () => {
    const message = approvalMessage(digest, 'production');
    for (const algorithm of ['ed25519', 'secp256k1'] as const) {
      const key = newKey(algorithm);
      const signature = signApprovalMessage(key, message);
      const flipped = signature.slice(0, 10) + (signature[10] === '0' ? '1' : '0') + signature.slice(11);
      expect(verifyApprovalSignature(key, message, flipped).valid).toBe(false);
      expect(verifyApprovalSignature(newKey(algorithm), message, signature).valid).toBe(false);
      expect(verifyApprovalSignature(key, message, 'not hex')).toEqual({
        valid: false,
        reason: 'the signature is not hex',
      });
      expect(verifyApprovalSignature(key, message, 'abcd').valid).toBe(false);
    }
  });

  test('error: the malleable high-s twin of a secp256k1 signature is refused', () => {
    const key = newKey('secp256k1');
    const message = approvalMessage(digest, 'production');
    const signature = secp256k1.sign(ethereumMessageHash(message), key.privateKey);
    const highS = new secp256k1.Signature(signature.r, secp256k1.CURVE.n - signature.s);
    const v = (27 + (signature.recovery ^ 1)).toString(16);
    const result = verifyApprovalSignature(key, message, `0x${highS.toCompactHex()}${v}`);
    expect(result).toEqual({ valid: false, reason: 'the signature has a high s value (malleable form)' });
  });
});
