import { parseGwei } from 'viem';
import { describe, expect, test } from 'vitest';
import { bumpFees, pauseFees, resolveFeeOptions } from './fees.ts';

const gwei = (value: string) => parseGwei(value);

describe('pauseFees', () => {
  test('default: twice the node’s priority fee, on top of twice the base fee', () => {
    const fees = pauseFees({ baseFeePerGas: gwei('30'), suggestedPriorityFeePerGas: gwei('1.5') }, resolveFeeOptions());
    expect(fees).toEqual({ maxPriorityFeePerGas: gwei('3'), maxFeePerGas: gwei('63') });
  });

  test('behavior: the floor applies when the node suggests little or nothing', () => {
    const options = resolveFeeOptions({ minPriorityFeePerGas: gwei('5') });
    expect(pauseFees({ baseFeePerGas: gwei('10'), suggestedPriorityFeePerGas: 0n }, options)).toEqual({
      maxPriorityFeePerGas: gwei('5'),
      maxFeePerGas: gwei('25'),
    });
  });

  test('behavior: multipliers are configurable and round up', () => {
    const options = resolveFeeOptions({ priorityFeeMultiplier: 2.5, baseFeeMultiplier: 3, minPriorityFeePerGas: 0n });
    expect(pauseFees({ baseFeePerGas: 7n, suggestedPriorityFeePerGas: 3n }, options)).toEqual({
      maxPriorityFeePerGas: 8n, // 7.5 rounded up
      maxFeePerGas: 29n,
    });
  });

  test('behavior: the cap bounds the max fee and the tip', () => {
    const options = resolveFeeOptions({ maxFeePerGasCap: gwei('20') });
    expect(pauseFees({ baseFeePerGas: gwei('50'), suggestedPriorityFeePerGas: gwei('30') }, options)).toEqual({
      maxPriorityFeePerGas: gwei('20'),
      maxFeePerGas: gwei('20'),
    });
  });
});

describe('bumpFees', () => {
  const options = resolveFeeOptions();

  test('default: both fees rise by at least 12.5% (the replacement rule), rounded up', () => {
    const previous = { maxFeePerGas: 1_000_000_001n, maxPriorityFeePerGas: 333n };
    const current = { maxFeePerGas: 1n, maxPriorityFeePerGas: 1n };
    const bumped = bumpFees(previous, current, options)!;
    expect(bumped.maxPriorityFeePerGas).toBe(375n); // 374.625 up
    expect(bumped.maxFeePerGas).toBe(1_125_000_002n); // 1,125,000,001.125 up
    expect(bumped.maxFeePerGas * 1000n).toBeGreaterThanOrEqual(previous.maxFeePerGas * 1125n);
  });

  test('behavior: follows the market when it moved more than the bump', () => {
    const previous = { maxFeePerGas: gwei('10'), maxPriorityFeePerGas: gwei('2') };
    const current = { maxFeePerGas: gwei('104'), maxPriorityFeePerGas: gwei('4') };
    expect(bumpFees(previous, current, options)).toEqual({
      maxFeePerGas: gwei('104'),
      maxPriorityFeePerGas: gwei('4'),
    });
  });

  test('behavior: a bumped tip keeps the room for the current base fee', () => {
    const previous = { maxFeePerGas: gwei('10'), maxPriorityFeePerGas: gwei('4') };
    const current = { maxFeePerGas: gwei('43'), maxPriorityFeePerGas: gwei('3') };
    // Tip 4.5 (bump), room for the base fee 40 (current): 44.5.
    expect(bumpFees(previous, current, options)).toEqual({
      maxFeePerGas: gwei('44.5'),
      maxPriorityFeePerGas: gwei('4.5'),
    });
  });

  test('behavior: a larger bumpPercent is honoured', () => {
    const bumped = bumpFees(
      { maxFeePerGas: 1000n, maxPriorityFeePerGas: 100n },
      { maxFeePerGas: 0n, maxPriorityFeePerGas: 0n },
      resolveFeeOptions({ bumpPercent: 50 }),
    );
    expect(bumped).toEqual({ maxFeePerGas: 1500n, maxPriorityFeePerGas: 150n });
  });

  test('behavior: at the cap there is no valid replacement', () => {
    const capped = resolveFeeOptions({ maxFeePerGasCap: gwei('10') });
    expect(
      bumpFees(
        { maxFeePerGas: gwei('10'), maxPriorityFeePerGas: gwei('2') },
        { maxFeePerGas: gwei('10'), maxPriorityFeePerGas: gwei('2') },
        capped,
      ),
    ).toBeUndefined();
    expect(
      bumpFees(
        { maxFeePerGas: gwei('8'), maxPriorityFeePerGas: gwei('2') },
        { maxFeePerGas: gwei('8'), maxPriorityFeePerGas: gwei('2') },
        capped,
      ),
    ).toEqual({ maxFeePerGas: gwei('9'), maxPriorityFeePerGas: gwei('2.25') });
    // The market asks for more than the cap: capped, as long as it is still a valid replacement.
    expect(
      bumpFees(
        { maxFeePerGas: gwei('8'), maxPriorityFeePerGas: gwei('2') },
        { maxFeePerGas: gwei('10'), maxPriorityFeePerGas: gwei('2') },
        capped,
      ),
    ).toEqual({ maxFeePerGas: gwei('10'), maxPriorityFeePerGas: gwei('2.25') });
    expect(
      bumpFees(
        { maxFeePerGas: gwei('9.5'), maxPriorityFeePerGas: gwei('2') },
        { maxFeePerGas: gwei('10'), maxPriorityFeePerGas: gwei('2') },
        capped,
      ),
    ).toBeUndefined();
  });
});

describe('resolveFeeOptions', () => {
  test('error: settings that would make replacements fail or underbid are refused', () => {
    expect(() => resolveFeeOptions({ bumpPercent: 10 })).toThrow(
      /bumpPercent must be between 12.5 and 1000 \(got 10\)/,
    );
    expect(() => resolveFeeOptions({ priorityFeeMultiplier: 0.9 })).toThrow(/priorityFeeMultiplier must be at least 1/);
    expect(() => resolveFeeOptions({ baseFeeMultiplier: Number.NaN })).toThrow(/baseFeeMultiplier/);
    expect(() => resolveFeeOptions({ minPriorityFeePerGas: -1n })).toThrow(/must not be negative/);
    expect(() => resolveFeeOptions({ maxFeePerGasCap: 1n })).toThrow(/maxFeePerGasCap/);
    try {
      resolveFeeOptions({ bumpPercent: 1 });
    } catch (error) {
      expect(error).toMatchObject({ name: 'ResponderConfigError', docsPath: 'monitor/responder.md#fees' });
    }
  });
});
