import { createLogger } from '@bulwark/core';
import { secp256k1 } from '@noble/curves/secp256k1';
import { keccak256, numberToHex, toHex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { addressOfPublicKey, createKmsSigner, publicKeyFromSpki, signatureFromDer } from './kms.ts';
import { payloadDigest, type SignPayload, signAllowed } from './signer.ts';
import { canonicalRequest, signAwsRequest, signingKey } from './sigv4.ts';
import { startKmsStandIn, startSignerChain } from './testing.ts';

const credentials = { accessKeyId: 'AKIDEXAMPLE0000001', secretAccessKey: 'kms-secret-do-not-print/0123456789abcdef' };
const keyId = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const allow = (payload: SignPayload) => ({ action: 'allow' as const, requestDigest: payloadDigest(payload).hash });

describe('SigV4', () => {
  test('default: AWS’s documented example (IAM ListUsers, 2015-08-30) gives its signing key and signature', () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
    expect(signingKey(secret, '20150830', 'us-east-1', 'iam').toString('hex')).toBe(
      'c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9',
    );
    const url = new URL('https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08');
    const headers = signAwsRequest({
      method: 'GET',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: '',
      region: 'us-east-1',
      service: 'iam',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: secret },
      date: new Date('2015-08-30T12:36:00Z'),
    });
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
    );
    expect(
      canonicalRequest({ method: 'GET', url, headers: { 'content-type': 'a', host: 'h', 'x-amz-date': 'd' }, body: '' })
        .signedHeaders,
    ).toBe('content-type;host;x-amz-date');
  });
});

describe('KMS encodings', () => {
  test('default: the SPKI of private key 1 is the generator, whose address is known', () => {
    const spki = Buffer.from(
      `3056301006072a8648ce3d020106052b8104000a034200${toHex(secp256k1.getPublicKey(numberToHex(1n, { size: 32 }).slice(2), false)).slice(2)}`,
      'hex',
    );
    expect(addressOfPublicKey(publicKeyFromSpki(spki))).toBe('0x7e5f4552091a69125d5dfcb7b8c2659029395bdf');
    expect(() => publicKeyFromSpki(spki.subarray(1))).toThrow(/not an uncompressed secp256k1/);
  });

  test('behavior: a high-s DER signature becomes low-s with the recovery id that gives the key', () => {
    const privateKey = numberToHex(0xc0ffeen, { size: 32 });
    const publicKey = secp256k1.getPublicKey(privateKey.slice(2), false);
    const n = secp256k1.CURVE.n;
    for (const message of ['a', 'b', 'c', 'd']) {
      const hash = keccak256(toHex(message));
      const low = secp256k1.sign(hash.slice(2), privateKey.slice(2), { lowS: true });
      const high = new secp256k1.Signature(low.r, n - low.s);
      for (const der of [low.toDERRawBytes(), high.toDERRawBytes()]) {
        const signature = signatureFromDer(der, hash, publicKey);
        expect(BigInt(signature.s) <= n / 2n).toBe(true);
        expect(signature).toEqual({
          r: numberToHex(low.r, { size: 32 }),
          s: numberToHex(low.s, { size: 32 }),
          yParity: low.recovery,
        });
      }
    }
    const other = secp256k1.getPublicKey(numberToHex(7n, { size: 32 }).slice(2), false);
    const hash = keccak256('0x01');
    const der = secp256k1.sign(hash.slice(2), privateKey.slice(2)).toDERRawBytes();
    expect(() => signatureFromDer(der, hash, other)).toThrow(/does not recover to the key/);
    expect(() => signatureFromDer(new Uint8Array([1, 2, 3]), hash, publicKey)).toThrow(/not DER/);
  });
});

describe('createKmsSigner', () => {
  const privateKey = generatePrivateKey();
  let chain: Awaited<ReturnType<typeof startSignerChain>>;
  let kms: Awaited<ReturnType<typeof startKmsStandIn>>;
  beforeAll(async () => {
    chain = await startSignerChain();
    kms = await startKmsStandIn({ privateKey, keyId, region: 'eu-west-1', credentials });
  });
  afterAll(async () => {
    await kms?.close();
    await chain?.stop();
  });

  test('default: a transaction signed through the KMS stand-in is accepted by anvil from the KMS key’s address', async () => {
    const signer = await createKmsSigner({ keyId, region: 'eu-west-1', credentials, endpoint: kms.url });
    expect(signer).toMatchObject({
      kind: 'kms',
      address: privateKeyToAccount(privateKey).address,
      name: `kms:${keyId}`,
    });
    await chain.fund(signer.address);
    const to = privateKeyToAccount(generatePrivateKey()).address;
    for (let i = 0; i < 4; i++) {
      const payload: SignPayload = { kind: 'transaction', transaction: await chain.transfer(signer.address, to) };
      const signed = await signAllowed(allow(payload), signer, payload);
      expect(BigInt(signed.signature.s) <= secp256k1.CURVE.n / 2n).toBe(true);
      const receipt = await chain.sendAndMine(signed.rawTransaction!);
      expect(receipt).toMatchObject({ status: 'success', from: signer.address.toLowerCase() });
    }
    // Half the answers were high-s on purpose; all were normalised; every request passed the SigV4 check.
    expect(kms.highSAnswers).toBeGreaterThanOrEqual(2);
    expect(kms.refusals).toEqual([]);
    const sign = kms.requests.find((r) => r.headers['x-amz-target'] === 'TrentService.Sign');
    expect(JSON.parse(sign!.body)).toMatchObject({
      KeyId: keyId,
      MessageType: 'DIGEST',
      SigningAlgorithm: 'ECDSA_SHA_256',
    });
  });

  test('behavior: temporary credentials send and sign X-Amz-Security-Token', async () => {
    const temporary = { ...credentials, sessionToken: 'session-token-value-0123456789' };
    const sts = await startKmsStandIn({ privateKey, keyId, region: 'eu-west-1', credentials: temporary });
    try {
      const signer = await createKmsSigner({ keyId, region: 'eu-west-1', credentials: temporary, endpoint: sts.url });
      expect(signer.address).toBe(privateKeyToAccount(privateKey).address);
      expect(sts.refusals).toEqual([]);
      expect(sts.requests[0]!.headers['x-amz-security-token']).toBe(temporary.sessionToken);
      expect(String(sts.requests[0]!.headers.authorization)).toContain('x-amz-security-token');
      // Without the token the stand-in recomputes another signature and refuses, as KMS does.
      await expect(createKmsSigner({ keyId, region: 'eu-west-1', credentials, endpoint: sts.url })).rejects.toThrow(
        /InvalidSignatureException/,
      );
    } finally {
      await sts.close();
    }
  });

  test('error: wrong credentials are refused by the stand-in; the error names the key, never the secret', async () => {
    const wrong = { ...credentials, secretAccessKey: 'another-secret-value-0123456789' };
    const error = (await createKmsSigner({ keyId, region: 'eu-west-1', credentials: wrong, endpoint: kms.url }).catch(
      (e: unknown) => e,
    )) as Error;
    expect(error).toMatchObject({ name: 'SignerError' });
    expect(error.message).toMatch(/GetPublicKey .* HTTP 400 InvalidSignatureException/);
    expect(error.message).not.toContain(wrong.secretAccessKey);
  });

  test('error: a failing KMS Sign leaves no key material or secret in the error or the debug log', async () => {
    const leaky = await startKmsStandIn({
      privateKey,
      keyId,
      region: 'eu-west-1',
      credentials,
      // A hostile or buggy endpoint that echoes secrets back in its error.
      failSign: {
        status: 500,
        body: { __type: 'KMSInternalException', message: `boom ${credentials.secretAccessKey} ${privateKey}` },
      },
    });
    const lines: string[] = [];
    const logger = createLogger({ write: (line) => lines.push(line), level: 'debug' });
    try {
      const signer = await createKmsSigner({ keyId, region: 'eu-west-1', credentials, endpoint: leaky.url });
      const payload: SignPayload = {
        kind: 'typedData',
        typedData: { types: {}, primaryType: 'EIP712Domain', domain: { name: 'x' }, message: {} } as never,
      };
      const error = (await signAllowed(allow(payload), signer, payload, { logger }).catch(
        (e: unknown) => e,
      )) as Error & {
        retryable: boolean;
      };
      expect(error).toMatchObject({ name: 'SignerError', retryable: true });
      const texts = `${error.message}\n${JSON.stringify(error)}\n${lines.join('')}`;
      expect(texts).toMatch(/KMSInternalException/);
      for (const secret of [credentials.secretAccessKey, privateKey.slice(2), privateKey.slice(2).toUpperCase()])
        expect(texts).not.toContain(secret);
      expect(lines.length).toBeGreaterThan(0);
    } finally {
      await leaky.close();
    }
  });
});
