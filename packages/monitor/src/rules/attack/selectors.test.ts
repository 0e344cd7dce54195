import { toFunctionSelector } from 'viem';
import { describe, expect, test } from 'vitest';
import { batchSelectors, flashLoanCallbacks, flashLoanEntries, flashLoanFamilies } from './selectors.ts';

describe('flash-loan interfaces', () => {
  test('default: the selectors of the public interfaces, as deployed', () => {
    const entries = Object.fromEntries(
      flashLoanFamilies.map((family) => [family.id, toFunctionSelector(family.entry)]),
    );
    expect(entries).toEqual({
      'erc-3156': '0x5cffe9de',
      aave: '0xab9c4b5d',
      'aave-simple': '0x42b0b77c',
      balancer: '0x5c38449e',
      'uniswap-v2': '0x022c0d9f',
      'uniswap-v3': '0x490e6cbc',
      morpho: '0xe0232b42',
      dydx: '0xa67a6a45',
    });
    expect([...flashLoanCallbacks.keys()].sort()).toEqual(
      [
        '0x23e30c8b', // onFlashLoan
        '0x920f5c84', // executeOperation (Aave flashLoan)
        '0x1b11d0ff', // executeOperation (Aave flashLoanSimple)
        '0xf04f2707', // receiveFlashLoan
        '0x10d1e85c', // uniswapV2Call
        '0x84800812', // pancakeCall
        '0xe9cbafb0', // uniswapV3FlashCallback
        '0xa1d48336', // pancakeV3FlashCallback
        '0x31f57072', // onMorphoFlashLoan
        '0x8b418713', // callFunction
      ].sort(),
    );
    expect(flashLoanEntries.size).toBe(flashLoanFamilies.length);
    expect(batchSelectors.has('0x252dba42')).toBe(true); // Multicall aggregate
    expect(batchSelectors.has('0x82ad56cb')).toBe(true); // Multicall3 aggregate3
    expect(batchSelectors.has('0xac9650d8')).toBe(true); // multicall(bytes[])
    expect(batchSelectors.has('0x8d80ff0a')).toBe(true); // Safe multiSend
  });
});
