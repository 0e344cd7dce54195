import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ed25519 } from '@noble/curves/ed25519';
import { secp256k1 } from '@noble/curves/secp256k1';
import { bytesToHex } from '@noble/hashes/utils';
import { privateKeyToAddress } from 'viem/accounts';
import { describe, expect, test } from 'vitest';
import { KeyError } from './errors.ts';
import { parsePrivateKey, parsePublicKey, readPublicKey, readSigningKey } from './keys.ts';

const secret = bytesToHex(secp256k1.utils.randomPrivateKey());

describe('keys', () => {
  test('default: a secp256k1 key is named by its Ethereum address', () => {
    const key = parsePrivateKey(`0x${secret}\n`, 'secp256k1', 'test');
    expect(key.keyId).toBe(privateKeyToAddress(`0x${secret}`).toLowerCase());
    expect(key.publicKey).toHaveLength(33);
  });

  test('default: an ed25519 key is named by its public key', () => {
    const key = parsePrivateKey(secret, 'ed25519', 'test');
    expect(key.keyId).toBe(`ed25519:${bytesToHex(ed25519.getPublicKey(key.privateKey))}`);
  });

  test('behavior: public keys parse in every form, with the length deciding the algorithm', () => {
    const ed = parsePrivateKey(secret, 'ed25519', 'test');
    const k1 = parsePrivateKey(secret, 'secp256k1', 'test');
    expect(parsePublicKey(bytesToHex(ed.publicKey), { where: 'x' }).keyId).toBe(ed.keyId);
    const uncompressed = bytesToHex(secp256k1.getPublicKey(k1.privateKey, false));
    expect(parsePublicKey(uncompressed, { where: 'x' }).keyId).toBe(k1.keyId);
    expect(parsePublicKey(k1.keyId, { where: 'x', algorithm: 'secp256k1', allowAddress: true })).toEqual({
      algorithm: 'secp256k1',
      keyId: k1.keyId,
      publicKey: undefined,
    });
  });

  test('behavior: read from a file or an environment variable', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-keys-'));
    writeFileSync(path.join(dir, 'k'), `${secret}\n`);
    const fromFile = readSigningKey({ algorithm: 'ed25519', file: 'k', cwd: dir, env: {} });
    const fromEnv = readSigningKey({ algorithm: 'ed25519', envVar: 'K', cwd: dir, env: { K: secret } });
    expect(fromFile.keyId).toBe(fromEnv.keyId);
    writeFileSync(path.join(dir, 'pub'), bytesToHex(fromFile.publicKey));
    expect(readPublicKey('pub', { cwd: dir }).keyId).toBe(fromFile.keyId);
  });

  test('error: a bad key names where it came from and never shows the key', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-keys-'));
    writeFileSync(path.join(dir, 'short'), secret.slice(0, 40));
    expect(() => readSigningKey({ algorithm: 'ed25519', file: 'short', cwd: dir, env: {} })).toThrow(
      /private key in short is not 32 bytes of hex/,
    );
    expect(() => readSigningKey({ algorithm: 'ed25519', file: 'missing', cwd: dir, env: {} })).toThrow(
      /Cannot read the key file missing/,
    );
    expect(() => readSigningKey({ algorithm: 'ed25519', envVar: 'NOPE', cwd: dir, env: {} })).toThrow(
      /NOPE is not set/,
    );
    const outOfRange = 'f'.repeat(64);
    try {
      parsePrivateKey(outOfRange, 'secp256k1', '$KEY');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(KeyError);
      expect((error as Error).message).toContain('$KEY is out of range');
      expect((error as Error).message).not.toContain(outOfRange);
    }
    expect(() => parsePublicKey('abcd', { where: 'gate.approvers[0]', algorithm: 'ed25519' })).toThrow(
      /public key in gate.approvers\[0\] has 2 bytes/,
    );
  });
});
