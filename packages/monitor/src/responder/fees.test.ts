import { parseGwei } from 'viem';
import { describe, expect, test } from 'vitest';
import { bumpFees, feeCeiling, outbidBy, outbidFees, pauseFees, resolveFeeOptions } from './fees.ts';

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

describe('outbidFees', () => {
  const market = { baseFeePerGas: gwei('10'), suggestedPriorityFeePerGas: gwei('1'), gas: 60_000n };
  /** The effective tip a transaction pays at the base fee: what geth and reth sort by. */
  const effectiveTip = (fees: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }, baseFee = gwei('10')) =>
    fees.maxFeePerGas - baseFee < fees.maxPriorityFeePerGas ? fees.maxFeePerGas - baseFee : fees.maxPriorityFeePerGas;

  test('default: without competitors it pays what a first send pays', () => {
    const options = resolveFeeOptions();
    expect(outbidFees({ ...market, competitors: [] }, options)).toMatchObject({
      ...pauseFees(market, options),
      outbid: true,
      limitedBy: undefined,
    });
  });

  test('behavior: above every competitor by the margin, by effective tip and by max fee', () => {
    const options = resolveFeeOptions({ outbidMarginPercent: 10 });
    const competitors = [
      // High tip, but its max fee leaves only 20 gwei above the base fee: effective tip 20.
      { hash: 'a', maxFeePerGas: gwei('30'), maxPriorityFeePerGas: gwei('25') },
      // Modest tip, very high max fee: wins where pools sort by max fee (anvil).
      { hash: 'b', maxFeePerGas: gwei('300'), maxPriorityFeePerGas: gwei('3') },
      // Legacy: 40 gwei is both its max fee and its tip; effective tip 30.
      { hash: 'c', gasPrice: gwei('40') },
    ];
    const fees = outbidFees({ ...market, competitors }, options);
    expect(fees).toMatchObject({ outbid: true, limitedBy: undefined, highest: 'c' });
    expect(fees.maxPriorityFeePerGas).toBe(gwei('33')); // 30 × 1.1
    expect(fees.maxFeePerGas).toBe(gwei('330')); // 300 × 1.1
    for (const competitor of competitors) {
      const maxFee = competitor.maxFeePerGas ?? competitor.gasPrice!;
      const tip = competitor.maxPriorityFeePerGas ?? competitor.gasPrice!;
      expect(fees.maxFeePerGas).toBeGreaterThan(maxFee);
      expect(effectiveTip(fees)).toBeGreaterThan(effectiveTip({ maxFeePerGas: maxFee, maxPriorityFeePerGas: tip }));
    }
    // The tip is fully effective: the max fee leaves it room above the base fee.
    expect(effectiveTip(fees)).toBe(fees.maxPriorityFeePerGas);
  });

  test('behavior: with no margin it still bids strictly above, and keeps room for the base fee to grow', () => {
    const options = resolveFeeOptions({ outbidMarginPercent: 0, baseFeeMultiplier: 2 });
    const fees = outbidFees(
      { ...market, competitors: [{ maxFeePerGas: gwei('12'), maxPriorityFeePerGas: gwei('2') }] },
      options,
    );
    expect(fees.maxPriorityFeePerGas).toBe(gwei('2') + 1n);
    expect(fees.maxFeePerGas).toBe(gwei('20') + gwei('2') + 1n);
  });

  test('behavior: the max fee cap stops the bid, which says it could not outbid', () => {
    const options = resolveFeeOptions({ maxFeePerGasCap: gwei('50') });
    const fees = outbidFees(
      { ...market, competitors: [{ maxFeePerGas: gwei('100'), maxPriorityFeePerGas: gwei('60') }] },
      options,
    );
    expect(fees).toMatchObject({
      maxFeePerGas: gwei('50'),
      outbid: false,
      limitedBy: 'maxFeePerGasCap',
      needed: { maxFeePerGas: gwei('110'), maxPriorityFeePerGas: gwei('66') },
    });
    expect(fees.maxPriorityFeePerGas).toBeLessThanOrEqual(fees.maxFeePerGas);
  });

  test('behavior: the cost cap of one pause bounds gas × max fee', () => {
    const options = resolveFeeOptions({ maxPauseCostWei: gwei('60') * 100_000n, maxFeePerGasCap: gwei('1000') });
    const fees = outbidFees({ ...market, competitors: [{ gasPrice: gwei('500') }] }, options);
    expect(fees).toMatchObject({ maxFeePerGas: gwei('100'), outbid: false, limitedBy: 'maxPauseCost' });
    expect(fees.maxFeePerGas * market.gas).toBeLessThanOrEqual(options.maxPauseCostWei!);
    expect(feeCeiling(options, 60_000n)).toEqual({ ceiling: gwei('100'), by: 'maxPauseCost' });
    expect(feeCeiling(options, 1_000n)).toEqual({ ceiling: gwei('1000'), by: 'maxFeePerGasCap' });
    expect(feeCeiling(resolveFeeOptions(), 1_000n)).toBeUndefined();
  });

  test('behavior: outbidBy tells when a competitor needs a replacement, under either ordering', () => {
    const fees = { maxFeePerGas: gwei('100'), maxPriorityFeePerGas: gwei('10') };
    expect(outbidBy(fees, { maxFeePerGas: gwei('100'), maxPriorityFeePerGas: gwei('10') })).toBe(false);
    expect(outbidBy(fees, { maxFeePerGas: gwei('101'), maxPriorityFeePerGas: gwei('1') })).toBe(true);
    expect(outbidBy(fees, { maxFeePerGas: gwei('20'), maxPriorityFeePerGas: gwei('11') })).toBe(true);
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
    expect(() => resolveFeeOptions({ outbidMarginPercent: -1 })).toThrow(/outbidMarginPercent must be between 0/);
    expect(() => resolveFeeOptions({ maxPauseCostWei: 0n })).toThrow(/maxPauseCostWei must be above 0/);
    try {
      resolveFeeOptions({ bumpPercent: 1 });
    } catch (error) {
      expect(error).toMatchObject({ name: 'ResponderConfigError', docsPath: 'monitor/responder.md#fees' });
    }
  });
});
