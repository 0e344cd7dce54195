import { secp256k1 } from '@noble/curves/secp256k1';
import { type Address, type Hex, keccak256, numberToHex, toHex } from 'viem';
import { SignerError } from './errors.ts';
import { registerSigner, type Signature, type Signer } from './signer.ts';
import { type AwsCredentials, signAwsRequest } from './sigv4.ts';

/*
 * AWS KMS with an ECC_SECG_P256K1 key: the key never leaves KMS. GetPublicKey gives the DER
 * SubjectPublicKeyInfo (→ the address); Sign with MessageType DIGEST and ECDSA_SHA_256 signs our
 * 32-byte hash as is and answers a DER signature, which Ethereum wants as low-s (r, s) plus the
 * recovery id. KMS does not give the recovery id: it is the one of the two whose recovered public
 * key is the key's own. Requests are the KMS JSON API (`X-Amz-Target: TrentService.*`), SigV4-signed.
 */

export type CreateKmsSignerParameters = {
  keyId: string;
  region: string;
  credentials: AwsCredentials;
  /** Default `https://kms.<region>.amazonaws.com`; a VPC endpoint, or a local stand-in in tests. */
  endpoint?: string | undefined;
  /** Default 10 s per request. */
  timeoutMs?: number | undefined;
  fetch?: typeof fetch | undefined;
};

// DER SubjectPublicKeyInfo of an uncompressed secp256k1 key: SEQUENCE { SEQUENCE { id-ecPublicKey,
// secp256k1 }, BIT STRING 04 ‖ X ‖ Y }. KMS answers exactly this 88-byte form for ECC_SECG_P256K1.
const spkiPrefix = '3056301006072a8648ce3d020106052b8104000a034200';

/** The uncompressed public key (65 bytes, 04 ‖ X ‖ Y) from a DER SPKI. */
export function publicKeyFromSpki(der: Uint8Array): Uint8Array {
  const hex = Buffer.from(der).toString('hex');
  if (
    hex.length !== spkiPrefix.length + 130 ||
    !hex.startsWith(spkiPrefix) ||
    hex.slice(spkiPrefix.length, spkiPrefix.length + 2) !== '04'
  )
    throw new SignerError('The KMS public key is not an uncompressed secp256k1 SubjectPublicKeyInfo.', {
      anchor: '#aws-kms',
      metaMessages: ['Create the key with KeySpec ECC_SECG_P256K1 and KeyUsage SIGN_VERIFY.'],
    });
  const key = der.slice(der.length - 65);
  secp256k1.ProjectivePoint.fromHex(key).assertValidity();
  return key;
}

/** The Ethereum address of an uncompressed public key: the last 20 bytes of keccak256(X ‖ Y). */
export function addressOfPublicKey(publicKey: Uint8Array): Address {
  return `0x${keccak256(publicKey.slice(1)).slice(-40)}` as Address;
}

/**
 * A DER ECDSA signature of `hash` to Ethereum's (r, s, yParity): s folded into the lower half of
 * the curve order (EIP-2), and the recovery id that recovers `publicKey`.
 */
export function signatureFromDer(der: Uint8Array, hash: Hex, publicKey: Uint8Array): Signature {
  let signature: InstanceType<typeof secp256k1.Signature>;
  try {
    signature = secp256k1.Signature.fromDER(Buffer.from(der).toString('hex'));
  } catch {
    throw new SignerError('KMS answered a signature that is not DER.', { anchor: '#aws-kms' });
  }
  const low = signature.normalizeS();
  const expected = toHex(publicKey);
  for (const recovery of [0, 1] as const) {
    let recovered: Hex;
    try {
      recovered = toHex(low.addRecoveryBit(recovery).recoverPublicKey(hash.slice(2)).toRawBytes(false));
    } catch {
      continue;
    }
    if (recovered === expected)
      return { r: numberToHex(low.r, { size: 32 }), s: numberToHex(low.s, { size: 32 }), yParity: recovery };
  }
  throw new SignerError(
    'The KMS signature does not recover to the key’s public key; it is not a signature of this digest by this key.',
    {
      anchor: '#aws-kms',
    },
  );
}

export async function createKmsSigner(parameters: CreateKmsSignerParameters): Promise<Signer> {
  const endpoint = new URL(parameters.endpoint ?? `https://kms.${parameters.region}.amazonaws.com`);
  const doFetch = parameters.fetch ?? fetch;
  const secrets = [parameters.credentials.secretAccessKey, parameters.credentials.sessionToken];

  async function call<T>(action: 'GetPublicKey' | 'Sign', body: Record<string, unknown>): Promise<T> {
    const text = JSON.stringify(body);
    const headers = signAwsRequest({
      method: 'POST',
      url: endpoint,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `TrentService.${action}` },
      body: text,
      region: parameters.region,
      service: 'kms',
      credentials: parameters.credentials,
    });
    delete headers.host;
    let response: Response;
    try {
      response = await doFetch(endpoint, {
        method: 'POST',
        headers,
        body: text,
        signal: AbortSignal.timeout(parameters.timeoutMs ?? 10_000),
      });
    } catch (cause) {
      throw new SignerError(`KMS ${action} on ${endpoint.host} failed: no answer.`, {
        cause,
        secrets,
        retryable: true,
        anchor: '#aws-kms',
      });
    }
    const answer = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    if (!response.ok) {
      const type = String(answer?.__type ?? answer?.code ?? 'error')
        .split('#')
        .pop();
      throw new SignerError(
        `KMS ${action} for key ${parameters.keyId} failed: HTTP ${response.status} ${type}${answer?.message ? `: ${String(answer.message)}` : ''}.`,
        {
          secrets,
          retryable: response.status >= 500 || response.status === 429,
          anchor: '#aws-kms',
          metaMessages: [
            'Check the key id, the region, and that the credentials may call kms:GetPublicKey and kms:Sign.',
          ],
        },
      );
    }
    if (!answer) throw new SignerError(`KMS ${action} answered something that is not JSON.`, { anchor: '#aws-kms' });
    return answer as T;
  }

  const key = await call<{ PublicKey?: string; KeySpec?: string }>('GetPublicKey', { KeyId: parameters.keyId });
  if (key.KeySpec !== undefined && key.KeySpec !== 'ECC_SECG_P256K1')
    throw new SignerError(`KMS key ${parameters.keyId} is ${key.KeySpec}, not ECC_SECG_P256K1 (secp256k1).`, {
      anchor: '#aws-kms',
    });
  if (typeof key.PublicKey !== 'string')
    throw new SignerError('KMS GetPublicKey answered no PublicKey.', { anchor: '#aws-kms' });
  const publicKey = publicKeyFromSpki(Buffer.from(key.PublicKey, 'base64'));
  const address = addressOfPublicKey(publicKey);

  return registerSigner({ kind: 'kms', address, name: `kms:${parameters.keyId}` }, async ({ hash }) => {
    const answer = await call<{ Signature?: string }>('Sign', {
      KeyId: parameters.keyId,
      Message: Buffer.from(hash.slice(2), 'hex').toString('base64'),
      MessageType: 'DIGEST',
      SigningAlgorithm: 'ECDSA_SHA_256',
    });
    if (typeof answer.Signature !== 'string')
      throw new SignerError('KMS Sign answered no Signature.', { anchor: '#aws-kms' });
    return signatureFromDer(Buffer.from(answer.Signature, 'base64'), hash, publicKey);
  });
}
