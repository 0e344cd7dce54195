import { parseRequest } from '@bulwark/wallet';
import { decodeFunctionData, getAddress, parseAbi } from 'viem';
import { describe, expect, test } from 'vitest';
import { exchange } from '../testing.ts';
import { previewRequestOf } from './walletPreview.ts';

const hot = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8';
const token = '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48';
const request = (fields: Record<string, unknown>) =>
  parseRequest({ initiator: 'olga', source: 'hot', chain: 1, ...fields });

describe('previewRequestOf: the transaction a wallet request asks the source wallet to sign', () => {
  test('default: a native withdrawal is a value transfer to the destination', () => {
    expect(
      previewRequestOf(request({ kind: 'withdrawal', asset: 'native', amount: '5000', destination: exchange }), hot),
    ).toEqual({
      chainId: 1,
      from: getAddress(hot),
      to: getAddress(exchange),
      value: 5000n,
      data: '0x',
      operation: 0,
      safe: undefined,
    });
  });

  test("behavior: a token transfer is the token's transfer(destination, amount), no value", () => {
    const transaction = previewRequestOf(
      request({ kind: 'transfer', asset: token, amount: '7', destination: exchange }),
      hot,
    )!;
    expect(transaction).toMatchObject({ to: getAddress(token), value: 0n });
    expect(
      decodeFunctionData({ abi: parseAbi(['function transfer(address, uint256)']), data: transaction.data }),
    ).toEqual({ functionName: 'transfer', args: [getAddress(exchange), 7n] });
  });

  test('behavior: a contract call is its call; a delegatecall and a typed message have nothing to simulate from a plain account', () => {
    const call = { target: token, data: '0x095ea7b3' };
    expect(previewRequestOf(request({ kind: 'contract-call', call }), hot)).toMatchObject({
      to: getAddress(token),
      data: '0x095ea7b3',
      value: 0n,
    });
    expect(
      previewRequestOf(request({ kind: 'contract-call', call: { ...call, operation: 'delegatecall' } }), hot),
    ).toBeUndefined();
    expect(
      previewRequestOf(
        request({
          kind: 'typed-message',
          typedData: { domain: {}, types: {}, primaryType: 'Mail', message: {} },
        }),
        hot,
      ),
    ).toBeUndefined();
  });
});
