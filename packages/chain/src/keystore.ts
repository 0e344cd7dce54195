import { createCipheriv, createDecipheriv, pbkdf2, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { scryptAsync } from '@noble/hashes/scrypt';
import { keccak_256 } from '@noble/hashes/sha3';
import { getAddress, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { KeystoreError, KeystorePasswordError } from './errors.ts';

/*
 * Web3 Secret Storage v3 (the keystore files of geth, Foundry's `cast wallet`, MetaMask exports):
 * a KDF (scrypt or PBKDF2-HMAC-SHA256) turns the password into 32 bytes; the first 16 are the
 * AES-128-CTR key of the private key, the last 16 go into the MAC, keccak256(dk[16..32] ‖ ciphertext).
 * Primitives: scrypt and keccak from @noble/hashes, PBKDF2 and AES from node:crypto. One place for
 * the monitor's guardian key and the wallet's keystore signer.
 */

export type ScryptKdfParams = { dklen: number; n: number; r: number; p: number; salt: string };
export type Pbkdf2KdfParams = { dklen: number; c: number; prf: 'hmac-sha256'; salt: string };

export type KeystoreV3 = {
  version: 3;
  id: string;
  /** Lower-case hex without 0x, as geth writes it; optional in the spec. */
  address?: string | undefined;
  crypto: {
    cipher: 'aes-128-ctr';
    cipherparams: { iv: string };
    ciphertext: string;
    mac: string;
  } & ({ kdf: 'scrypt'; kdfparams: ScryptKdfParams } | { kdf: 'pbkdf2'; kdfparams: Pbkdf2KdfParams });
};

export type EncryptKeystoreOptions = {
  /** Default `scrypt`. */
  kdf?: 'scrypt' | 'pbkdf2' | undefined;
  /** scrypt cost; default 262144 (geth's standard). Tests use 1024 or so to stay fast. */
  scryptN?: number | undefined;
  /** Default 8. */
  scryptR?: number | undefined;
  /** Default 1. */
  scryptP?: number | undefined;
  /** PBKDF2 iterations; default 262144. */
  pbkdf2C?: number | undefined;
  /** 32 bytes; default random. */
  salt?: Hex | undefined;
  /** 16 bytes; default random. */
  iv?: Hex | undefined;
  /** Default a random UUID. */
  id?: string | undefined;
};

/** Encrypts `privateKey` into a v3 keystore; what `decryptKeystore` (and geth, cast, ethers) read. */
export async function encryptKeystore(
  privateKey: Hex,
  password: string,
  options: EncryptKeystoreOptions = {},
): Promise<KeystoreV3> {
  const key = parsePrivateKey(privateKey);
  const address = privateKeyToAccount(toHex(key)).address;
  const salt = options.salt ? fromHex(options.salt, 'salt') : randomBytes(32);
  const iv = options.iv ? fromHex(options.iv, 'iv') : randomBytes(16);
  if (iv.length !== 16) throw new KeystoreError('encryptKeystore: `iv` must be 16 bytes.');
  const kdf = options.kdf ?? 'scrypt';
  const kdfparams =
    kdf === 'scrypt'
      ? {
          dklen: 32,
          n: options.scryptN ?? 262_144,
          r: options.scryptR ?? 8,
          p: options.scryptP ?? 1,
          salt: salt.toString('hex'),
        }
      : { dklen: 32, c: options.pbkdf2C ?? 262_144, prf: 'hmac-sha256' as const, salt: salt.toString('hex') };
  const derived = await deriveKey(kdf, kdfparams, password, 'encryptKeystore');
  const cipher = createCipheriv('aes-128-ctr', derived.subarray(0, 16), iv);
  const ciphertext = Buffer.concat([cipher.update(key), cipher.final()]);
  const crypto = {
    cipher: 'aes-128-ctr' as const,
    cipherparams: { iv: iv.toString('hex') },
    ciphertext: ciphertext.toString('hex'),
    mac: mac(derived, ciphertext).toString('hex'),
  };
  return {
    version: 3,
    id: options.id ?? randomUUID(),
    address: address.slice(2).toLowerCase(),
    crypto:
      kdf === 'scrypt'
        ? { ...crypto, kdf: 'scrypt', kdfparams: kdfparams as ScryptKdfParams }
        : { ...crypto, kdf: 'pbkdf2', kdfparams: kdfparams as Pbkdf2KdfParams },
  };
}

export type DecryptKeystoreOptions = {
  /** Where the keystore came from (a file path), for error messages. */
  source?: string | undefined;
  /** Docs page errors point to (the caller's, e.g. the monitor's guardian key); default the keystore section. */
  docsPath?: string | undefined;
};

/**
 * Decrypts a v3 keystore (object or JSON text) and returns its private key. A wrong password is a
 * `KeystorePasswordError`; a malformed file a `KeystoreError`. Neither message carries the
 * password, the key or the file's content.
 */
export async function decryptKeystore(
  keystore: KeystoreV3 | string,
  password: string,
  options: DecryptKeystoreOptions = {},
): Promise<Hex> {
  const where = options.source ? `Keystore ${options.source}` : 'The keystore';
  const parsed = parseKeystore(keystore, where);
  const { crypto } = parsed;
  const derived = await deriveKey(crypto.kdf, crypto.kdfparams, password, where);
  const ciphertext = fromHex(crypto.ciphertext, 'crypto.ciphertext', where);
  const expected = fromHex(crypto.mac, 'crypto.mac', where);
  const actual = mac(derived, ciphertext);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    throw new KeystorePasswordError(`${where} cannot be decrypted: wrong password (the MAC does not match).`, {
      docsPath: options.docsPath,
      metaMessages: ['Check the password in the environment variable named by `passwordEnv`.'],
    });
  }
  const decipher = createDecipheriv(
    'aes-128-ctr',
    derived.subarray(0, 16),
    fromHex(crypto.cipherparams.iv, 'crypto.cipherparams.iv', where),
  );
  const key = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  if (key.length !== 32) throw new KeystoreError(`${where} does not hold a 32-byte private key.`);
  const privateKey = toHex(key);
  let address: string;
  try {
    address = privateKeyToAccount(privateKey).address;
  } catch {
    throw new KeystoreError(`${where} holds a value that is not a valid secp256k1 private key.`);
  }
  const named = parsed.address && getAddress(`0x${parsed.address.replace(/^0x/i, '')}`);
  if (named && named !== address) {
    throw new KeystoreError(`${where} names address ${named}, but its key belongs to ${address}.`, {
      metaMessages: ['The file was edited or assembled from two keystores; export it again.'],
    });
  }
  return privateKey;
}

// Bounds against a hostile or mistyped file: about 1 GiB of scrypt memory, ten million PBKDF2 rounds.
const maxScryptMemory = 2 ** 30;
const maxPbkdf2Rounds = 10_000_000;

function parseKeystore(keystore: KeystoreV3 | string, where: string): KeystoreV3 & { address?: string } {
  let value: unknown = keystore;
  if (typeof keystore === 'string') {
    try {
      value = JSON.parse(keystore);
    } catch {
      throw new KeystoreError(`${where} is not JSON.`, {
        metaMessages: ['Give the path of a Web3 Secret Storage v3 file (geth keystore, `cast wallet new`).'],
      });
    }
  }
  const fail = (what: string): never => {
    throw new KeystoreError(`${where} is not a v3 keystore: ${what}.`, {
      metaMessages: ['Give a Web3 Secret Storage v3 file (geth keystore, `cast wallet new`).'],
    });
  };
  if (!value || typeof value !== 'object') return fail('it is not an object');
  const record = value as Record<string, unknown>;
  if (record.version !== 3) fail(`version is ${JSON.stringify(record.version)}, not 3`);
  // Old geth releases wrote `Crypto`.
  const crypto = (record.crypto ?? record.Crypto) as Record<string, unknown> | undefined;
  if (!crypto || typeof crypto !== 'object') return fail('it has no `crypto` section');
  if (crypto.cipher !== 'aes-128-ctr') fail(`cipher ${JSON.stringify(crypto.cipher)} is not aes-128-ctr`);
  if (crypto.kdf !== 'scrypt' && crypto.kdf !== 'pbkdf2') fail(`kdf ${JSON.stringify(crypto.kdf)} is unknown`);
  for (const field of ['ciphertext', 'mac'] as const) {
    if (typeof crypto[field] !== 'string') fail(`crypto.${field} is missing`);
  }
  const cipherparams = crypto.cipherparams as { iv?: unknown } | undefined;
  if (typeof cipherparams?.iv !== 'string') fail('crypto.cipherparams.iv is missing');
  const kdfparams = crypto.kdfparams as Record<string, unknown> | undefined;
  if (!kdfparams || typeof kdfparams !== 'object') return fail('crypto.kdfparams is missing');
  if (typeof kdfparams.salt !== 'string') fail('crypto.kdfparams.salt is missing');
  if (kdfparams.dklen !== 32) fail(`crypto.kdfparams.dklen is ${JSON.stringify(kdfparams.dklen)}, not 32`);
  if (crypto.kdf === 'pbkdf2') {
    if (kdfparams.prf !== 'hmac-sha256') fail(`PBKDF2 prf ${JSON.stringify(kdfparams.prf)} is not hmac-sha256`);
    if (!isCount(kdfparams.c)) fail('PBKDF2 c is not a positive integer');
  } else {
    for (const field of ['n', 'r', 'p'] as const) {
      if (!isCount(kdfparams[field])) fail(`scrypt ${field} is not a positive integer`);
    }
  }
  if (
    record.address !== undefined &&
    (typeof record.address !== 'string' || !/^(0x)?[0-9a-fA-F]{40}$/.test(record.address))
  )
    fail('address is not 20 bytes of hex');
  return { ...(record as KeystoreV3), crypto: crypto as KeystoreV3['crypto'] };
}

async function deriveKey(
  kdf: 'scrypt' | 'pbkdf2',
  params: ScryptKdfParams | Pbkdf2KdfParams,
  password: string,
  where: string,
): Promise<Buffer> {
  const salt = fromHex(params.salt, 'crypto.kdfparams.salt', where);
  // The password's UTF-8 bytes as given, as geth does (ethers normalises to NFKC; ASCII is the same).
  const passwordBytes = Buffer.from(password, 'utf8');
  if (kdf === 'pbkdf2') {
    const { c } = params as Pbkdf2KdfParams;
    if (c > maxPbkdf2Rounds)
      throw new KeystoreError(`${where}: PBKDF2 c = ${c} exceeds ${maxPbkdf2Rounds}; refusing to spend that long.`);
    return new Promise((resolve, reject) =>
      pbkdf2(passwordBytes, salt, c, 32, 'sha256', (error, key) =>
        error ? reject(new KeystoreError(`${where}: PBKDF2 failed.`, { cause: error })) : resolve(key),
      ),
    );
  }
  const { n, r, p } = params as ScryptKdfParams;
  if ((n & (n - 1)) !== 0 || n < 2) throw new KeystoreError(`${where}: scrypt n = ${n} is not a power of two.`);
  if (128 * n * r > maxScryptMemory || p > 64)
    throw new KeystoreError(`${where}: scrypt n = ${n}, r = ${r}, p = ${p} needs more than 1 GiB; refusing.`);
  try {
    // Async: it yields to the event loop, so a monitor loading its key keeps serving.
    const key = await scryptAsync(passwordBytes, salt, { N: n, r, p, dkLen: 32, maxmem: maxScryptMemory + 1024 });
    return Buffer.from(key);
  } catch (cause) {
    throw new KeystoreError(`${where}: scrypt failed.`, { cause });
  }
}

function mac(derived: Buffer, ciphertext: Buffer): Buffer {
  return Buffer.from(keccak_256(Buffer.concat([derived.subarray(16, 32), ciphertext])));
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function fromHex(value: string, field: string, where = 'encryptKeystore'): Buffer {
  const hex = value.replace(/^0x/i, '');
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex))
    throw new KeystoreError(`${where}: ${field} is not hex.`, {
      metaMessages: ['Give a Web3 Secret Storage v3 file (geth keystore, `cast wallet new`).'],
    });
  return Buffer.from(hex, 'hex');
}

function toHex(bytes: Uint8Array): Hex {
  return `0x${Buffer.from(bytes).toString('hex')}`;
}

/** 32 bytes of hex, with or without 0x; the message never repeats the value. */
export function parsePrivateKey(value: string, where = 'The private key'): Buffer {
  const hex = value.trim().replace(/^0x/i, '');
  if (!/^[0-9a-fA-F]{64}$/.test(hex))
    throw new KeystoreError(`${where} is not a 32-byte hex private key (64 hex digits, optionally 0x-prefixed).`);
  return Buffer.from(hex, 'hex');
}
