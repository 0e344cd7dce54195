import type { TypedDataDefinition } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { payloadDigest, type SignPayload, signAllowed } from './signer.ts';
import { startSignerChain, startWeb3SignerStandIn } from './testing.ts';
import { createWeb3Signer } from './web3signer.ts';

const keys = [generatePrivateKey(), generatePrivateKey()];
const address = privateKeyToAccount(keys[1]!).address;
const token = 'w3s-bearer-token-0123456789abcdef';
const allow = (payload: SignPayload) => ({ action: 'allow' as const, requestDigest: payloadDigest(payload).hash });

let chain: Awaited<ReturnType<typeof startSignerChain>>;
let remote: Awaited<ReturnType<typeof startWeb3SignerStandIn>>;
beforeAll(async () => {
  chain = await startSignerChain();
  remote = await startWeb3SignerStandIn({ privateKeys: keys, bearerToken: token });
});
afterAll(async () => {
  await remote?.close();
  await chain?.stop();
});

describe('createWeb3Signer', () => {
  test('default: finds the key by address and signs a transaction anvil accepts from that address', async () => {
    const signer = await createWeb3Signer({ url: remote.url, address, headers: { authorization: `Bearer ${token}` } });
    expect(signer).toMatchObject({ kind: 'web3signer', address });
    await chain.fund(address);
    const payload: SignPayload = {
      kind: 'transaction',
      transaction: await chain.transfer(address, privateKeyToAccount(keys[0]!).address),
    };
    const signed = await signAllowed(allow(payload), signer, payload);
    expect(await chain.sendAndMine(signed.rawTransaction!)).toMatchObject({
      status: 'success',
      from: address.toLowerCase(),
    });
    // The signer was sent the unsigned transaction (it hashes itself), never a bare hash.
    const sign = remote.requests.find((r) => r.path.startsWith('/api/v1/eth1/sign/'));
    expect(JSON.parse(sign!.body)).toEqual({ data: payloadDigest(payload).preimage });
  });

  test('behavior: typed data goes as 0x1901 ‖ domain ‖ struct', async () => {
    const signer = await createWeb3Signer({ url: remote.url, address, headers: { authorization: `Bearer ${token}` } });
    const typedData: TypedDataDefinition = {
      domain: { name: 'Vote', chainId: 1 },
      types: { Ballot: [{ name: 'choice', type: 'uint8' }] },
      primaryType: 'Ballot',
      message: { choice: 2 },
    };
    const payload: SignPayload = { kind: 'typedData', typedData };
    const signed = await signAllowed(allow(payload), signer, payload);
    expect(signed.signer).toBe(address);
    expect(payloadDigest(payload).preimage.startsWith('0x1901')).toBe(true);
  });

  test('error: a signer that signs with another key is caught; nothing is returned', async () => {
    const rogue = await startWeb3SignerStandIn({ privateKeys: keys, signWith: keys[0] });
    try {
      const signer = await createWeb3Signer({ url: rogue.url, address });
      const payload: SignPayload = {
        kind: 'typedData',
        typedData: { domain: { name: 'x' }, types: {}, primaryType: 'EIP712Domain', message: {} } as never,
      };
      await expect(signAllowed(allow(payload), signer, payload)).rejects.toThrow(
        /returned a signature by 0x[0-9a-fA-F]{40}, not by/,
      );
    } finally {
      await rogue.close();
    }
  });

  test('error: an unknown address, and a refused token, are clear errors that never repeat the token', async () => {
    await expect(
      createWeb3Signer({
        url: remote.url,
        address: privateKeyToAccount(generatePrivateKey()).address,
        headers: { authorization: `Bearer ${token}` },
      }),
    ).rejects.toThrow(/holds no key for 0x/);
    const error = (await createWeb3Signer({
      url: remote.url,
      address,
      headers: { authorization: 'Bearer wrong-token-value-xyz' },
    }).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/HTTP 401/);
    expect(error.message).not.toContain('wrong-token-value-xyz');
    const withCredentials = remote.url.replace('http://', 'http://user:s3cret-pass-word@');
    const down = (await createWeb3Signer({ url: withCredentials.replace(/:\d+$/, ':1'), address }).catch(
      (e: unknown) => e,
    )) as Error;
    expect(down.message).toMatch(/did not answer/);
    expect(down.message).not.toContain('s3cret-pass-word');
  });
});
