import { type Hex, recoverMessageAddress } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect, test } from 'vitest';
import { decryptKeystore, encryptKeystore, type KeystoreV3 } from './keystore.ts';

// The Web3 Secret Storage definition's test vectors (ethereum.org, "Web3 secret storage definition").
const vectorKey = '0x7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d';
const pbkdf2Vector = {
  crypto: {
    cipher: 'aes-128-ctr',
    cipherparams: { iv: '6087dab2f9fdbbfaddc31a909735c1e6' },
    ciphertext: '5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46',
    kdf: 'pbkdf2',
    kdfparams: {
      c: 262144,
      dklen: 32,
      prf: 'hmac-sha256',
      salt: 'ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd',
    },
    mac: '517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2',
  },
  id: '3198bc9c-6672-5ab3-d995-4942343ae5b6',
  version: 3,
};
const scryptVector = {
  crypto: {
    cipher: 'aes-128-ctr',
    cipherparams: { iv: '83dbcc02d8ccb40e466191a123791e0e' },
    ciphertext: 'd172bf743a674da9cdad04534d56926ef8358534d458fffccd4e6ad2fbde479c',
    kdf: 'scrypt',
    kdfparams: {
      dklen: 32,
      n: 262144,
      r: 1,
      p: 8,
      salt: 'ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19',
    },
    mac: '2103ac29920d71da29f15d75b4a16dbe95cfd7ff8faea1056c33131d846e3097',
  },
  id: '3198bc9c-6672-5ab3-d995-4942343ae5b6',
  version: 3,
};

const key = `0x${'3c'.repeat(31)}01` as Hex;
const password = 'correct horse battery staple';
const fast = { scryptN: 1024, scryptR: 8, scryptP: 1 };

describe('decryptKeystore', () => {
  test('default: the spec’s PBKDF2 test vector', async () => {
    expect(await decryptKeystore(JSON.stringify(pbkdf2Vector), 'testpassword')).toBe(vectorKey);
  });

  test('default: the spec’s scrypt test vector (n = 262144, r = 1, p = 8)', async () => {
    expect(await decryptKeystore(scryptVector as KeystoreV3, 'testpassword')).toBe(vectorKey);
  });

  test('behavior: old geth files with `Crypto` are read', async () => {
    const { crypto, ...rest } = pbkdf2Vector;
    expect(await decryptKeystore(JSON.stringify({ ...rest, Crypto: crypto }), 'testpassword')).toBe(vectorKey);
  });

  test('error: a wrong password is a KeystorePasswordError that does not repeat it', async () => {
    const error = (await decryptKeystore(JSON.stringify(pbkdf2Vector), 'wrong-password-123', {
      source: '/etc/k.json',
    }).catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ name: 'KeystorePasswordError', retryable: false });
    expect(error.message).toContain('Keystore /etc/k.json cannot be decrypted: wrong password');
    expect(error.message).not.toContain('wrong-password-123');
    expect(error.message).not.toContain(vectorKey.slice(2));
  });

  test('error: malformed files name the field, never the content', async () => {
    const cases: [unknown, RegExp][] = [
      ['{not json', /is not JSON/],
      [{ ...pbkdf2Vector, version: 1 }, /version is 1, not 3/],
      [
        { ...pbkdf2Vector, crypto: { ...pbkdf2Vector.crypto, cipher: 'aes-128-cbc' } },
        /cipher "aes-128-cbc" is not aes-128-ctr/,
      ],
      [{ ...pbkdf2Vector, crypto: { ...pbkdf2Vector.crypto, kdf: 'argon2' } }, /kdf "argon2" is unknown/],
      [{ ...pbkdf2Vector, crypto: { ...pbkdf2Vector.crypto, mac: undefined } }, /crypto.mac is missing/],
      [{ ...pbkdf2Vector, crypto: { ...pbkdf2Vector.crypto, ciphertext: 'zz' } }, /crypto.ciphertext is not hex/],
      [
        {
          ...pbkdf2Vector,
          crypto: { ...pbkdf2Vector.crypto, kdfparams: { ...pbkdf2Vector.crypto.kdfparams, prf: 'hmac-sha1' } },
        },
        /prf "hmac-sha1" is not hmac-sha256/,
      ],
      [{ ...pbkdf2Vector, address: 'xyz' }, /address is not 20 bytes of hex/],
    ];
    for (const [input, message] of cases) {
      const keystore = typeof input === 'string' ? input : JSON.stringify(input);
      await expect(decryptKeystore(keystore, 'testpassword', { source: 'k.json' })).rejects.toMatchObject({
        name: 'KeystoreError',
        message: expect.stringMatching(message),
      });
    }
  });

  test('error: KDF parameters that would take gigabytes or hours are refused before running', async () => {
    const hungry = {
      ...scryptVector,
      crypto: { ...scryptVector.crypto, kdfparams: { ...scryptVector.crypto.kdfparams, n: 2 ** 24, r: 8 } },
    };
    await expect(decryptKeystore(JSON.stringify(hungry), 'x')).rejects.toThrow(/needs more than 1 GiB/);
    const slow = {
      ...pbkdf2Vector,
      crypto: { ...pbkdf2Vector.crypto, kdfparams: { ...pbkdf2Vector.crypto.kdfparams, c: 1e9 } },
    };
    await expect(decryptKeystore(JSON.stringify(slow), 'x')).rejects.toThrow(/exceeds 10000000/);
    const odd = {
      ...scryptVector,
      crypto: { ...scryptVector.crypto, kdfparams: { ...scryptVector.crypto.kdfparams, n: 1000 } },
    };
    await expect(decryptKeystore(JSON.stringify(odd), 'x')).rejects.toThrow(/not a power of two/);
  });

  test('error: an address that does not match the key is refused', async () => {
    const keystore = await encryptKeystore(key, password, fast);
    const swapped = { ...keystore, address: '00000000000000000000000000000000000000aa' };
    await expect(decryptKeystore(swapped, password)).rejects.toThrow(
      /names address 0x0{38}AA, but its key belongs to/i,
    );
  });
});

describe('encryptKeystore', () => {
  test('default: scrypt round trip; the file has the v3 shape and the address', async () => {
    const keystore = await encryptKeystore(key, password, fast);
    expect(keystore).toMatchObject({
      version: 3,
      address: privateKeyToAccount(key).address.slice(2).toLowerCase(),
      crypto: { cipher: 'aes-128-ctr', kdf: 'scrypt', kdfparams: { n: 1024, r: 8, p: 1, dklen: 32 } },
    });
    expect(keystore.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify(keystore)).not.toContain(key.slice(2));
    expect(await decryptKeystore(JSON.stringify(keystore), password)).toBe(key);
    await expect(decryptKeystore(keystore, `${password}!`)).rejects.toMatchObject({ name: 'KeystorePasswordError' });
  });

  test('behavior: PBKDF2 round trip, and fixed salt and iv reproduce the spec vector exactly', async () => {
    const keystore = await encryptKeystore(vectorKey, 'testpassword', {
      kdf: 'pbkdf2',
      salt: `0x${pbkdf2Vector.crypto.kdfparams.salt}`,
      iv: `0x${pbkdf2Vector.crypto.cipherparams.iv}`,
      id: pbkdf2Vector.id,
    });
    expect(keystore.crypto).toEqual(pbkdf2Vector.crypto);
    expect(await decryptKeystore(keystore, 'testpassword')).toBe(vectorKey);
  });

  test('behavior: the decrypted key signs as the same account', async () => {
    const keystore = await encryptKeystore(key, password, { kdf: 'pbkdf2', pbkdf2C: 1000 });
    const account = privateKeyToAccount(await decryptKeystore(keystore, password));
    const signature = await account.signMessage({ message: 'pause' });
    expect(await recoverMessageAddress({ message: 'pause', signature })).toBe(privateKeyToAccount(key).address);
  });

  test('error: a key that is not 32 bytes of hex is refused without repeating it', async () => {
    await expect(encryptKeystore('0x1234' as Hex, password)).rejects.toMatchObject({
      name: 'KeystoreError',
      message: expect.not.stringContaining('1234'),
    });
  });
});
