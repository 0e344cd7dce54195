import { recoverAddress, serializeTransaction, stringToHex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect, test } from 'vitest';
import { decodeSignatureRequest, parseSiwe } from './decodeSignatureRequest.ts';
import { parseSignatureRequest } from './parseSignatureRequest.ts';

const account = '0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf';
const decode = (input: unknown) => decodeSignatureRequest(parseSignatureRequest(input));

describe('parseSignatureRequest', () => {
  test('behavior: eth_signTypedData_v4 with the typed data as a JSON string, as dapps send it', async () => {
    const typed = {
      types: { Mail: [{ name: 'to', type: 'address' }] },
      primaryType: 'Mail',
      domain: {},
      message: { to: account },
    };
    const request = parseSignatureRequest({ method: 'eth_signTypedData_v4', params: [account, JSON.stringify(typed)] });
    expect(request).toMatchObject({
      method: 'eth_signTypedData_v4',
      signer: account,
      typedData: { primaryType: 'Mail' },
    });
    // The digest is what a key signs: a signature of the typed data recovers from it.
    const key = privateKeyToAccount(`0x${'00'.repeat(31)}01`);
    const signature = await key.signTypedData(typed as Parameters<typeof key.signTypedData>[0]);
    const digest = decodeSignatureRequest(request).digest;
    expect(digest).toMatch(/^0x[0-9a-f]{64}$/);
    expect(await recoverAddress({ hash: digest!, signature })).toBe(key.address);
  });

  test('behavior: personal_sign reads the address from either position and plain strings as UTF-8', () => {
    const specOrder = parseSignatureRequest({ method: 'personal_sign', params: ['0x68656c6c6f', account] });
    const swapped = parseSignatureRequest({ method: 'personal_sign', params: [account, '0x68656c6c6f'] });
    const plain = parseSignatureRequest({ method: 'personal_sign', params: ['hello', account] });
    for (const request of [specOrder, swapped, plain])
      expect(request).toMatchObject({ signer: account, data: '0x68656c6c6f' });
  });

  test('error: a primaryType that is not among the types names the fix', () => {
    expect(() => parseSignatureRequest({ types: {}, primaryType: 'Permit', message: {} })).toThrow(
      /primaryType 'Permit' is not one of the types/,
    );
    expect(() => parseSignatureRequest([])).toThrow(/no JSON object/);
    expect(() => parseSignatureRequest({ method: 'eth_sign', params: [account, 'zz'] })).toThrow(/data is not 0x hex/);
    const badValue = {
      types: { Permit: [{ name: 'value', type: 'uint8' }] },
      primaryType: 'Permit',
      domain: {},
      message: { value: 300 },
    };
    expect(() => parseSignatureRequest(badValue)).toThrow(/does not encode as EIP-712[\s\S]*Check each field/);
  });
});

describe('decodeSignatureRequest', () => {
  test('behavior: bytes are told apart: hash, transaction, authorization, text, binary', () => {
    const tx = serializeTransaction({
      chainId: 1,
      type: 'eip1559',
      to: account,
      value: 1n,
      maxFeePerGas: 1n,
      gas: 21_000n,
    });
    expect(decode({ method: 'eth_sign', params: [account, `0x${'ab'.repeat(32)}`] }).kind).toBe('eth-sign-hash');
    expect(decode({ method: 'eth_sign', params: [account, tx] })).toMatchObject({
      kind: 'eth-sign-transaction',
      fields: { to: account },
    });
    expect(decode({ method: 'personal_sign', params: [`0x05${'c0'}`, account] }).kind).toBe(
      'personal-sign-authorization',
    );
    expect(decode({ method: 'personal_sign', params: [stringToHex('Vote yes\non proposal 7'), account] }).kind).toBe(
      'text-message',
    );
    expect(decode({ method: 'personal_sign', params: ['0x00ff10', account] }).kind).toBe('personal-sign-bytes');
  });

  test('behavior: a Seaport Dutch auction counts what is given at its largest and what comes back at its smallest', () => {
    const item = (itemType: number, start: string, end: string, recipient?: string) => ({
      itemType,
      token: '0x0000000000000000000000000000000000000000',
      identifierOrCriteria: '0',
      startAmount: start,
      endAmount: end,
      ...(recipient ? { recipient } : {}),
    });
    const decoded = decode({
      types: { OrderComponents: [{ name: 'offerer', type: 'address' }] },
      primaryType: 'OrderComponents',
      domain: { name: 'Seaport' },
      message: {
        offerer: account,
        offer: [item(2, '1', '1')],
        consideration: [item(0, '1000000000000000000', '0', account)],
      },
    });
    expect(decoded.orders[0]?.receives[0]?.amount).toBe(0n);
    expect(decoded.orders[0]?.side).toBe('sell');
  });

  test('behavior: SIWE fields are parsed; other text is not a login', () => {
    const message = `https://example.org wants you to sign in with your Ethereum account:\n${account}\n\nSign in.\n\nURI: https://example.org/login\nVersion: 1\nChain ID: 10\nNonce: abc12345`;
    expect(parseSiwe(message)).toEqual({
      domain: 'example.org',
      address: account,
      uri: 'https://example.org/login',
      chainId: 10,
      statement: 'Sign in.',
    });
    expect(parseSiwe('example.org wants you to sign in\nnot an address')).toBeUndefined();
  });
});
