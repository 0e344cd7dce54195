import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encryptKeystore } from '@bulwark/chain';
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, describe, expect, test } from 'vitest';
import { loadGuardianKey } from './guardianKey.ts';

const key = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d' as Hex;
const address = privateKeyToAccount(key).address;
const password = 'guardian-password-Xy9!';
const dir = mkdtempSync(join(tmpdir(), 'bulwark-guardian-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function keystoreFile(name = 'guardian.json'): Promise<string> {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(await encryptKeystore(key, password, { scryptN: 1024 })));
  return path;
}

/** Every text an error exposes: its message, details, and JSON form. */
function texts(error: unknown): string {
  const e = error as Error & { details?: string };
  return `${e.message}\n${e.details ?? ''}\n${JSON.stringify(e)}`;
}

describe('loadGuardianKey', () => {
  test('default: an encrypted keystore with its password in the named variable', async () => {
    const account = await loadGuardianKey(
      { keystorePath: await keystoreFile(), passwordEnv: 'GUARDIAN_PASSWORD' },
      { env: { GUARDIAN_PASSWORD: password } },
    );
    expect(account).toMatchObject({ address, type: 'local', source: 'privateKey' });
    expect(typeof account.signTransaction).toBe('function');
  });

  test('behavior: a raw key from the named variable, with or without 0x and whitespace', async () => {
    for (const value of [key, key.slice(2), `  ${key}\n`]) {
      const account = await loadGuardianKey({ privateKeyEnv: 'GUARDIAN_KEY' }, { env: { GUARDIAN_KEY: value } });
      expect(account.address).toBe(address);
    }
  });

  test('error: a wrong password names the file and the variable, never the password or the key', async () => {
    const path = await keystoreFile('wrong.json');
    const error = await loadGuardianKey(
      { keystorePath: path, passwordEnv: 'GUARDIAN_PASSWORD' },
      { env: { GUARDIAN_PASSWORD: 'not-the-password-42' } },
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'KeystorePasswordError',
      retryable: false,
      docsPath: 'monitor/responder.md#guardian-key',
    });
    expect(texts(error)).toContain(`Keystore ${path} cannot be decrypted: wrong password`);
    expect(texts(error)).toContain('passwordEnv');
    expect(texts(error)).not.toContain('not-the-password-42');
    expect(texts(error)).not.toContain(password);
    expect(texts(error)).not.toContain(key.slice(2));
  });

  test('error: unset or empty variables say which one to set', async () => {
    const path = await keystoreFile('unset.json');
    await expect(
      loadGuardianKey({ keystorePath: path, passwordEnv: 'GUARDIAN_PASSWORD' }, { env: {} }),
    ).rejects.toThrow(/GUARDIAN_PASSWORD \(passwordEnv\) is not set/);
    await expect(
      loadGuardianKey({ keystorePath: path, passwordEnv: 'GUARDIAN_PASSWORD' }, { env: { GUARDIAN_PASSWORD: '' } }),
    ).rejects.toThrow(/GUARDIAN_PASSWORD \(passwordEnv\) is empty/);
    await expect(loadGuardianKey({ privateKeyEnv: 'GUARDIAN_KEY' }, { env: {} })).rejects.toThrow(
      /GUARDIAN_KEY \(privateKeyEnv\) is not set/,
    );
  });

  test('error: a value that is not a key is refused without repeating it', async () => {
    const bad = `${key.slice(0, 60)}zz`;
    const error = await loadGuardianKey({ privateKeyEnv: 'GUARDIAN_KEY' }, { env: { GUARDIAN_KEY: bad } }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ name: 'GuardianKeyError' });
    expect(texts(error)).toContain('Environment variable GUARDIAN_KEY is not a 32-byte hex private key');
    expect(texts(error)).not.toContain(bad.slice(2, 40));
    // Zero is 32 bytes of hex but not a secp256k1 key.
    await expect(
      loadGuardianKey({ privateKeyEnv: 'GUARDIAN_KEY' }, { env: { GUARDIAN_KEY: `0x${'00'.repeat(32)}` } }),
    ).rejects.toThrow(/GUARDIAN_KEY is not a valid secp256k1 private key/);
  });

  test('error: a secret pasted where a variable name belongs is refused without repeating it', async () => {
    for (const source of [
      { privateKeyEnv: key },
      { privateKeyEnv: key.slice(2) },
      { keystorePath: 'k.json', passwordEnv: 'my secret pw' },
    ]) {
      const error = await loadGuardianKey(source as never, { env: {} }).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'GuardianKeyError' });
      expect(texts(error)).toMatch(/must be the name of an environment variable/);
      expect(texts(error)).not.toContain(key.slice(2));
      expect(texts(error)).not.toContain('my secret pw');
    }
  });

  test('error: a missing file, both sources, or neither', async () => {
    await expect(
      loadGuardianKey({ keystorePath: join(dir, 'missing.json'), passwordEnv: 'P' }, { env: { P: 'x' } }),
    ).rejects.toThrow(/cannot read the keystore .*missing\.json \(ENOENT\)/);
    await expect(
      loadGuardianKey({ keystorePath: 'a.json', passwordEnv: 'P', privateKeyEnv: 'K' } as never, { env: {} }),
    ).rejects.toThrow(/both `keystorePath` and `privateKeyEnv` are set/);
    await expect(loadGuardianKey({} as never, { env: {} })).rejects.toThrow(/neither `keystorePath`/);
    await expect(loadGuardianKey({ keystorePath: 'a.json' } as never, { env: {} })).rejects.toThrow(
      /needs `passwordEnv`/,
    );
  });
});
