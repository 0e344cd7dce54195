import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encryptKeystore } from '@bulwark/chain';
import { createLogger } from '@bulwark/core';
import { type Hex, hashTypedData, parseTransaction, recoverTypedDataAddress, type TypedDataDefinition } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createKeystoreSigner, createLocalKeySigner } from './localKey.ts';
import { payloadDigest, type SignPayload, signAllowed } from './signer.ts';
import { startSignerChain } from './testing.ts';

const privateKey = generatePrivateKey();
const account = privateKeyToAccount(privateKey);
const recipient = privateKeyToAccount(generatePrivateKey()).address;

const permit: TypedDataDefinition = {
  domain: {
    name: 'Token',
    version: '1',
    chainId: 31337,
    verifyingContract: '0x1111111111111111111111111111111111111111',
  },
  types: {
    Permit: [
      { name: 'owner', type: 'address' },
      { name: 'spender', type: 'address' },
      { name: 'value', type: 'uint256' },
      { name: 'nonce', type: 'uint256' },
      { name: 'deadline', type: 'uint256' },
    ],
  },
  primaryType: 'Permit',
  message: { owner: account.address, spender: recipient, value: 5n, nonce: 0n, deadline: 1n },
};

const allow = (payload: SignPayload) => ({ action: 'allow' as const, requestDigest: payloadDigest(payload).hash });

let chain: Awaited<ReturnType<typeof startSignerChain>>;
beforeAll(async () => {
  chain = await startSignerChain();
});
afterAll(() => chain?.stop());

describe('signAllowed', () => {
  test('default: an allowed transaction is signed by a local key and accepted by anvil from that sender', async () => {
    const signer = createLocalKeySigner({ privateKey });
    await chain.fund(signer.address);
    const payload: SignPayload = { kind: 'transaction', transaction: await chain.transfer(signer.address, recipient) };
    const signed = await signAllowed(allow(payload), signer, payload);
    const receipt = await chain.sendAndMine(signed.rawTransaction!);
    expect(receipt).toMatchObject({
      status: 'success',
      from: signer.address.toLowerCase(),
      to: recipient.toLowerCase(),
    });
    expect(parseTransaction(signed.rawTransaction!).value).toBe(1_000_000_000n);
  });

  test('behavior: typed data is signed over its EIP-712 hash', async () => {
    const signer = createLocalKeySigner({ privateKey });
    const payload: SignPayload = { kind: 'typedData', typedData: permit };
    expect(payloadDigest(payload).hash).toBe(hashTypedData(permit));
    const signed = await signAllowed(allow(payload), signer, payload);
    expect(await recoverTypedDataAddress({ ...permit, signature: signed.signatureHex } as never)).toBe(account.address);
  });

  test('error: block, approval-required, and an allow for another digest are refused; nothing is signed', async () => {
    let calls = 0;
    const signer = createLocalKeySigner({ privateKey });
    const payload: SignPayload = { kind: 'typedData', typedData: permit };
    const other: SignPayload = {
      kind: 'typedData',
      typedData: { ...permit, message: { ...permit.message, value: 6n } },
    };
    const logger = createLogger({ write: () => calls++, level: 'debug' });
    for (const authorization of [
      { action: 'block' as const, requestDigest: payloadDigest(payload).hash },
      { action: 'approval-required' as const, requestDigest: payloadDigest(payload).hash },
      allow(other),
      { action: 'allow', requestDigest: undefined } as never,
      undefined as never,
    ]) {
      await expect(signAllowed(authorization, signer, payload, { logger })).rejects.toMatchObject({
        name: 'SignRefusedError',
      });
    }
    expect(calls).toBe(0);
  });

  test('error: a handle not made by a factory cannot sign, even when allowed', async () => {
    const payload: SignPayload = { kind: 'typedData', typedData: permit };
    const forged = { kind: 'local' as const, address: account.address, name: 'forged' };
    await expect(signAllowed(allow(payload), forged, payload)).rejects.toThrow(
      /not created by a wallet signer factory/,
    );
    expect(Object.isFrozen(createLocalKeySigner({ privateKey }))).toBe(true);
  });

  test('behavior: an encrypted keystore (scrypt and PBKDF2) signs as its address; the handle holds no key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bulwark-keystore-'));
    for (const kdf of ['scrypt', 'pbkdf2'] as const) {
      const path = join(dir, `${kdf}.json`);
      await writeFile(
        path,
        JSON.stringify(await encryptKeystore(privateKey, 'pw-123456', { kdf, scryptN: 1024, pbkdf2C: 1000 })),
      );
      const signer = await createKeystoreSigner({ path, password: 'pw-123456' });
      expect(signer).toMatchObject({ kind: 'keystore', address: account.address, name: `keystore:${kdf}.json` });
      expect(JSON.stringify(signer)).not.toContain(privateKey.slice(2));
      const payload: SignPayload = { kind: 'typedData', typedData: permit };
      expect((await signAllowed(allow(payload), signer, payload)).signer).toBe(account.address);
    }
    await expect(createKeystoreSigner({ path: join(dir, 'scrypt.json'), password: 'wrong' })).rejects.toMatchObject({
      name: 'KeystorePasswordError',
    });
  });

  test('error: a bad key is refused without repeating it', () => {
    const bad = `${privateKey.slice(0, 60)}zzzz` as Hex;
    const error = (() => {
      try {
        createLocalKeySigner({ privateKey: bad });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error?.name).toBe('SignerError');
    expect(error?.message).not.toContain(privateKey.slice(4, 60));
  });
});
