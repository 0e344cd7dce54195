import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SignatureAlgorithm } from '@bulwark/store';
import { ed25519 } from '@noble/curves/ed25519';
import { secp256k1 } from '@noble/curves/secp256k1';
import { keccak_256 } from '@noble/hashes/sha3';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils';
import { KeyError } from './errors.ts';

export type { SignatureAlgorithm } from '@bulwark/store';

export const signatureAlgorithms = ['ed25519', 'secp256k1'] as const satisfies readonly SignatureAlgorithm[];

export function isSignatureAlgorithm(value: string): value is SignatureAlgorithm {
  return (signatureAlgorithms as readonly string[]).includes(value);
}

/** A private key with what identifies it. Never logged or printed. */
export type SigningKey = {
  algorithm: SignatureAlgorithm;
  privateKey: Uint8Array;
  /** ed25519: 32 bytes; secp256k1: 33 bytes (compressed). */
  publicKey: Uint8Array;
  keyId: string;
};

/** A public key (or, for secp256k1, only an address) that signatures are checked against. */
export type VerifyingKey = {
  algorithm: SignatureAlgorithm;
  /** Absent for a secp256k1 key given only as an address. */
  publicKey?: Uint8Array | undefined;
  keyId: string;
};

const docsPath = 'governance/approve.md#keys';

/**
 * The id approvals and attestations name a key by: `ed25519:<public key hex>`, or for secp256k1
 * the Ethereum address (lowercase), so a signer can be registered by the address it already uses.
 */
export function keyIdOf(algorithm: SignatureAlgorithm, publicKey: Uint8Array): string {
  if (algorithm === 'ed25519') return `ed25519:${bytesToHex(publicKey)}`;
  return addressOf(publicKey);
}

/** The Ethereum address of a secp256k1 public key (compressed or not), lowercase. */
export function addressOf(publicKey: Uint8Array): string {
  const uncompressed = secp256k1.ProjectivePoint.fromHex(publicKey).toRawBytes(false);
  return `0x${bytesToHex(keccak_256(uncompressed.subarray(1)).subarray(12))}`;
}

/** Hex with or without `0x`, surrounding whitespace ignored; undefined when it is not hex. */
export function parseHex(text: string): Uint8Array | undefined {
  const hex = text.trim().replace(/^0x/i, '');
  if (hex.length === 0 || hex.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(hex)) return undefined;
  return hexToBytes(hex);
}

/**
 * Parses a private key written as hex (32 bytes, `0x` optional). `where` names its origin (a file,
 * an environment variable) in errors; the key itself never appears in a message.
 */
export function parsePrivateKey(text: string, algorithm: SignatureAlgorithm, where: string): SigningKey {
  const bytes = parseHex(text);
  if (bytes?.length !== 32)
    throw new KeyError(`The ${algorithm} private key in ${where} is not 32 bytes of hex.`, {
      metaMessages: [
        'Fix: write the key as 64 hex characters (0x optional) on one line, or create one with `bulwark approve keygen`.',
      ],
      docsPath,
    });
  if (algorithm === 'secp256k1' && !secp256k1.utils.isValidPrivateKey(bytes))
    throw new KeyError(`The secp256k1 private key in ${where} is out of range.`, {
      metaMessages: ['Fix: generate a new key with `bulwark approve keygen --algorithm secp256k1`.'],
      docsPath,
    });
  const publicKey = algorithm === 'ed25519' ? ed25519.getPublicKey(bytes) : secp256k1.getPublicKey(bytes, true);
  return { algorithm, privateKey: bytes, publicKey, keyId: keyIdOf(algorithm, publicKey) };
}

export type ReadSigningKeyParameters = {
  algorithm: SignatureAlgorithm;
  /** A file holding the hex key, relative to `cwd`. */
  file?: string | undefined;
  /** The name of an environment variable holding the hex key. */
  envVar?: string | undefined;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** The option names, for messages (`--key`, `--sign-key`). */
  option?: string | undefined;
};

/** Reads a private key from a file or an environment variable (exactly one of them). */
export function readSigningKey(parameters: ReadSigningKeyParameters): SigningKey {
  const option = parameters.option ?? '--key';
  if (parameters.file && parameters.envVar)
    throw new KeyError(`Give the key once: ${option} FILE or ${option}-env VAR, not both.`, { docsPath });
  if (parameters.envVar) {
    const value = parameters.env[parameters.envVar];
    if (!value)
      throw new KeyError(`The environment variable ${parameters.envVar} is not set or empty.`, {
        metaMessages: [`Fix: export ${parameters.envVar}=<hex private key>, or pass ${option} FILE.`],
        docsPath,
      });
    return parsePrivateKey(value, parameters.algorithm, `$${parameters.envVar}`);
  }
  if (!parameters.file)
    throw new KeyError(`No key: pass ${option} FILE or ${option}-env VAR.`, {
      metaMessages: ['Create a key with `bulwark approve keygen --out FILE`.'],
      docsPath,
    });
  const file = path.resolve(parameters.cwd, parameters.file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new KeyError(`Cannot read the key file ${parameters.file}.`, {
      cause: error,
      metaMessages: [`Fix: check the path (resolved to ${file}).`],
      docsPath,
    });
  }
  return parsePrivateKey(text, parameters.algorithm, parameters.file);
}

/**
 * Parses a public key: ed25519 32 bytes; secp256k1 33 or 65 bytes, or (when `allowAddress`) a
 * 20-byte address. Without `algorithm`, the length decides.
 */
export function parsePublicKey(
  text: string,
  options: { algorithm?: SignatureAlgorithm | undefined; where: string; allowAddress?: boolean | undefined },
): VerifyingKey {
  const bytes = parseHex(text);
  const algorithm =
    options.algorithm ?? (bytes?.length === 32 ? 'ed25519' : bytes && bytes.length !== 32 ? 'secp256k1' : undefined);
  const fail = (problem: string): never => {
    throw new KeyError(`The public key in ${options.where} ${problem}.`, {
      metaMessages: [
        'Fix: give ed25519 keys as 32 bytes of hex, secp256k1 keys as 33 or 65 bytes of hex' +
          (options.allowAddress ? ' (or an address)' : '') +
          '; `bulwark approve pubkey --key FILE` prints a key’s public half.',
      ],
      docsPath,
    });
  };
  if (!bytes || !algorithm) return fail('is not hex');
  if (algorithm === 'ed25519') {
    if (bytes.length !== 32) return fail(`has ${bytes.length} bytes; ed25519 public keys have 32`);
    try {
      ed25519.ExtendedPoint.fromHex(bytes);
    } catch {
      return fail('is not a point on ed25519');
    }
    return { algorithm, publicKey: bytes, keyId: keyIdOf(algorithm, bytes) };
  }
  if (bytes.length === 20 && options.allowAddress)
    return { algorithm, keyId: `0x${bytesToHex(bytes)}`, publicKey: undefined };
  if (bytes.length !== 33 && bytes.length !== 65)
    return fail(`has ${bytes.length} bytes; secp256k1 public keys have 33 or 65`);
  let compressed: Uint8Array;
  try {
    compressed = secp256k1.ProjectivePoint.fromHex(bytes).toRawBytes(true);
  } catch {
    return fail('is not a point on secp256k1');
  }
  return { algorithm, publicKey: compressed, keyId: keyIdOf(algorithm, compressed) };
}

/**
 * Reads a public key given inline or as a file holding it (`--key PUBKEY` of `bulwark verify`):
 * hex, a key id (`ed25519:<hex>`), or what `bulwark approve pubkey` prints (text or JSON).
 */
export function readPublicKey(
  value: string,
  options: { algorithm?: SignatureAlgorithm | undefined; cwd: string },
): VerifyingKey {
  const inline = publicKeyText(value, options.algorithm);
  if (inline) return parsePublicKey(inline.hex, { algorithm: inline.algorithm, where: 'the --key value' });
  const file = path.resolve(options.cwd, value);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new KeyError(`--key ${value} is neither a hex public key nor a readable file.`, {
      cause: error,
      metaMessages: [`Fix: pass the public key's hex, or a file holding it (resolved to ${file}).`],
      docsPath: 'governance/verify.md',
    });
  }
  const found = publicKeyText(text, options.algorithm);
  return parsePublicKey(found?.hex ?? text, { algorithm: found?.algorithm ?? options.algorithm, where: value });
}

/**
 * The hex and algorithm in a public key's text: bare hex, `ed25519:<hex>`, or the output of
 * `bulwark approve pubkey` (`algorithm: …` / `publicKey: "…"` lines, or its --format json).
 */
function publicKeyText(
  text: string,
  algorithm: SignatureAlgorithm | undefined,
): { hex: string; algorithm: SignatureAlgorithm | undefined } | undefined {
  const trimmed = text.trim();
  if (parseHex(trimmed)) return { hex: trimmed, algorithm };
  const keyId = /^(ed25519):([0-9a-fA-F]{64})$/.exec(trimmed);
  if (keyId) return { hex: keyId[2]!, algorithm: algorithm ?? 'ed25519' };
  const field = (name: string) => new RegExp(`"?${name}"?\\s*:\\s*"?([0-9a-zA-Z]+)"?`).exec(trimmed)?.[1];
  const publicKey = field('publicKey');
  if (!publicKey || !parseHex(publicKey)) return undefined;
  const named = field('algorithm');
  return { hex: publicKey, algorithm: algorithm ?? (named && isSignatureAlgorithm(named) ? named : undefined) };
}

/** A new random private key (from the platform's secure random source, through @noble). */
export function generatePrivateKey(algorithm: SignatureAlgorithm): Uint8Array {
  return algorithm === 'ed25519' ? ed25519.utils.randomPrivateKey() : secp256k1.utils.randomPrivateKey();
}

/** The public key as hex, in the form the manifest's `gate.approvers` takes. */
export function publicKeyHex(key: { publicKey: Uint8Array }): string {
  return bytesToHex(key.publicKey);
}
