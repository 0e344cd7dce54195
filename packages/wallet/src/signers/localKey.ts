import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { decryptKeystore, parsePrivateKey } from '@bulwark/chain';
import { secp256k1 } from '@noble/curves/secp256k1';
import { type Hex, numberToHex, toHex } from 'viem';
import { privateKeyToAddress } from 'viem/accounts';
import { SignerError } from './errors.ts';
import { registerSigner, type Signer } from './signer.ts';

/*
 * Signers whose key is in this process: a raw key (tests, benchmarks, a key from a secret store)
 * and an encrypted v3 keystore (scrypt or PBKDF2; decryption shared with the monitor in
 * @bulwark/chain). The key lives only in the closure; neither the handle nor an error carries it.
 */

export type CreateLocalKeySignerParameters = {
  privateKey: Hex;
  /** Shown in logs and errors; default `local:<address>`. */
  name?: string | undefined;
};

export function createLocalKeySigner(parameters: CreateLocalKeySignerParameters): Signer {
  return keySigner('local', parameters.privateKey, (address) => parameters.name ?? `local:${address}`);
}

function keySigner(kind: 'local' | 'keystore', privateKey: Hex, name: (address: Hex) => string): Signer {
  let key: Uint8Array;
  let address: Hex;
  try {
    key = parsePrivateKey(privateKey, 'The signer key');
    address = privateKeyToAddress(toHex(key));
  } catch {
    throw new SignerError('The signer key is not a valid 32-byte secp256k1 private key.', { anchor: '#local-key' });
  }
  return registerSigner({ kind, address, name: name(address) }, async ({ hash }) => {
    const signature = secp256k1.sign(hash.slice(2), key, { lowS: true });
    return {
      r: numberToHex(signature.r, { size: 32 }),
      s: numberToHex(signature.s, { size: 32 }),
      yParity: signature.recovery as 0 | 1,
    };
  });
}

export type CreateKeystoreSignerParameters = {
  /** A Web3 Secret Storage v3 file (geth, `cast wallet new`, MetaMask export). */
  path: string;
  password: string;
};

/** Decrypts the keystore once (scrypt is slow on purpose) and signs in process. */
export async function createKeystoreSigner(parameters: CreateKeystoreSignerParameters): Promise<Signer> {
  let text: string;
  try {
    text = await readFile(parameters.path, 'utf8');
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    throw new SignerError(`Cannot read the keystore ${parameters.path}${code ? ` (${code})` : ''}.`, {
      anchor: '#keystore',
      metaMessages: ['Check the path and that this process may read the file.'],
    });
  }
  const privateKey = await decryptKeystore(text, parameters.password, { source: parameters.path });
  return keySigner('keystore', privateKey, () => `keystore:${basename(parameters.path)}`);
}
