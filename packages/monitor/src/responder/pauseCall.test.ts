import { readdirSync, readFileSync } from 'node:fs';
import { encodeFunctionData, type Hex, parseTransaction, recoverTransactionAddress, toFunctionSelector } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect, test } from 'vitest';
import { assertPauseCalldata, pauseSelector, pauseTransaction, signPauseTransaction } from './pauseCall.ts';
import { pausableReadAbi } from './testing.ts';

const account = privateKeyToAccount(`0x${'42'.repeat(32)}` as Hex);
const tx = pauseTransaction({
  chainId: 1,
  to: '0x00000000000000000000000000000000000000aa',
  nonce: 7,
  gas: 60_000n,
  maxFeePerGas: 50n * 10n ** 9n,
  maxPriorityFeePerGas: 3n * 10n ** 9n,
});

describe('never unpause', () => {
  test('default: the pause selector is pause() and the transaction calls it with no value', () => {
    expect(pauseSelector).toBe(toFunctionSelector('pause()'));
    expect(tx).toMatchObject({ type: 'eip1559', data: '0x8456cb59', value: 0n, nonce: 7 });
  });

  test('default: a pause transaction is signed by the guardian, as given', async () => {
    const serialized = await signPauseTransaction(account, tx);
    const parsed = parseTransaction(serialized);
    expect(parsed).toMatchObject({
      to: tx.to,
      data: '0x8456cb59',
      nonce: 7,
      maxPriorityFeePerGas: tx.maxPriorityFeePerGas,
    });
    expect(await recoverTransactionAddress({ serializedTransaction: serialized as never })).toBe(account.address);
  });

  test('error: unpause, requestUnpause and anything else are refused before signing', async () => {
    const forbidden: Hex[] = [
      encodeFunctionData({ abi: pausableReadAbi, functionName: 'unpause' }), // 0x3f4ba83a
      encodeFunctionData({ abi: pausableReadAbi, functionName: 'requestUnpause' }),
      '0x8456cb5900', // pause() with trailing bytes: not exactly pause()
      '0x',
    ];
    for (const data of forbidden) {
      expect(() => assertPauseCalldata(data)).toThrow(/only ever sends pause\(\) \(0x8456cb59\)/);
      await expect(signPauseTransaction(account, { ...tx, data })).rejects.toMatchObject({
        name: 'ForbiddenCalldataError',
        docsPath: 'monitor/responder.md#never-unpause',
      });
    }
    expect(() => assertPauseCalldata(undefined)).toThrow(/selector \(none\)/);
    await expect(signPauseTransaction(account, { ...tx, value: 1n })).rejects.toThrow(/sends value/);
    await expect(signPauseTransaction(account, { ...tx, to: undefined })).rejects.toThrow(/contract creation/);
  });

  test('behavior: no source of the responder names another selector or an unpause call', () => {
    const dir = new URL('.', import.meta.url);
    const sources = readdirSync(dir).filter(
      (name) => name.endsWith('.ts') && !name.endsWith('.test.ts') && name !== 'testing.ts',
    );
    expect(sources).toContain('pauseSender.ts');
    for (const name of sources) {
      const text = readFileSync(new URL(name, dir), 'utf8');
      // The only state-changing function any ABI here declares is pause(); the rest are views.
      const writes = [...text.matchAll(/'function ([A-Za-z_]+)\(([^)]*)\)([^']*)'/g)].filter(
        (match) => !/\b(view|pure)\b/.test(match[3]),
      );
      expect(
        writes.map((match) => match[1]),
        name,
      ).toEqual(writes.length ? ['pause'] : []);
      expect(text, name).not.toContain('0x3f4ba83a');
    }
  });
});
