import { readFile } from 'node:fs/promises';
import { decryptKeystore, KeystoreError, parsePrivateKey } from '@bulwark/chain';
import type { Hex } from 'viem';
import { type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts';
import { GuardianKeyError } from './errors.ts';

/**
 * Where the guardian key comes from. Config names environment variables, never holds secrets:
 * an encrypted keystore file with its password in `passwordEnv`, or a raw key in `privateKeyEnv`.
 */
export type GuardianKeySource =
  | { keystorePath: string; passwordEnv: string; privateKeyEnv?: undefined }
  | { privateKeyEnv: string; keystorePath?: undefined; passwordEnv?: undefined };

export type LoadGuardianKeyOptions = {
  /** Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>> | undefined;
};

/**
 * Loads the guardian's signing key and returns a viem local account (it signs in process; the key
 * is never sent anywhere). Errors name the file or variable and the fix, never the secret.
 */
export async function loadGuardianKey(
  source: GuardianKeySource,
  options: LoadGuardianKeyOptions = {},
): Promise<PrivateKeyAccount> {
  const env = options.env ?? process.env;
  const hasKeystore = source?.keystorePath !== undefined;
  const hasPrivateKey = source?.privateKeyEnv !== undefined;
  if (hasKeystore === hasPrivateKey) {
    throw new GuardianKeyError(
      hasKeystore
        ? 'Guardian key: both `keystorePath` and `privateKeyEnv` are set; choose one.'
        : 'Guardian key: neither `keystorePath` (with `passwordEnv`) nor `privateKeyEnv` is set.',
      { metaMessages: ['Prefer an encrypted keystore: `keystorePath` plus `passwordEnv`.'] },
    );
  }

  if (hasPrivateKey) {
    const name = checkEnvName(source.privateKeyEnv, 'privateKeyEnv');
    const value = env[name];
    if (value === undefined || value.trim() === '') {
      throw new GuardianKeyError(`Guardian key: environment variable ${name} (privateKeyEnv) is not set.`, {
        metaMessages: [`Set ${name} to the guardian's private key, or use an encrypted keystore.`],
      });
    }
    const key = asGuardianKeyError(() => parsePrivateKey(value, `Environment variable ${name}`));
    return toAccount(`0x${key.toString('hex')}`, `${name}`);
  }

  const path = source.keystorePath;
  if (typeof path !== 'string' || path === '') throw new GuardianKeyError('Guardian key: `keystorePath` is empty.');
  if (source.passwordEnv === undefined)
    throw new GuardianKeyError(
      `Guardian key: \`keystorePath\` ${path} needs \`passwordEnv\`, the variable with its password.`,
    );
  const name = checkEnvName(source.passwordEnv, 'passwordEnv');
  const password = env[name];
  if (password === undefined || password === '') {
    throw new GuardianKeyError(
      `Guardian key: environment variable ${name} (passwordEnv) is ${password === undefined ? 'not set' : 'empty'}.`,
      { metaMessages: [`Set ${name} to the password of the keystore ${path}.`] },
    );
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    throw new GuardianKeyError(`Guardian key: cannot read the keystore ${path}${code ? ` (${code})` : ''}.`, {
      metaMessages: ['Check `keystorePath` and that the monitor may read the file.'],
    });
  }
  const privateKey = await decryptKeystore(text, password, {
    source: path,
    docsPath: 'monitor/responder.md#guardian-key',
  });
  return toAccount(privateKey, path);
}

const envName = /^[A-Za-z_][A-Za-z0-9_]*$/;

function checkEnvName(name: unknown, field: string): string {
  if (typeof name !== 'string' || name === '')
    throw new GuardianKeyError(`Guardian key: \`${field}\` must name an environment variable.`);
  // Someone pasted the secret instead of a variable name: say so without repeating it.
  if (/^(0x)?[0-9a-fA-F]{64}$/.test(name) || !envName.test(name)) {
    throw new GuardianKeyError(
      `Guardian key: \`${field}\` must be the name of an environment variable (letters, digits, _), not a secret.`,
      { metaMessages: [`Put the secret in a variable (e.g. BULWARK_GUARDIAN_KEY) and give its name in \`${field}\`.`] },
    );
  }
  return name;
}

function toAccount(privateKey: Hex, where: string): PrivateKeyAccount {
  try {
    return privateKeyToAccount(privateKey);
  } catch {
    // viem's message is safe today, but the key must never reach a log: no cause.
    throw new GuardianKeyError(`Guardian key from ${where} is not a valid secp256k1 private key.`);
  }
}

/** The shared keystore code throws KeystoreError; here a malformed key is the guardian's problem. */
function asGuardianKeyError<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof KeystoreError)
      throw new GuardianKeyError(error.shortMessage, { metaMessages: error.metaMessages });
    throw error;
  }
}
