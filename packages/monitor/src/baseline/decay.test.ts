import { describe, expect, test } from 'vitest';
import { decayProfile } from './decay.ts';
import { emptyProfile } from './profile.ts';
import { addSample } from './stats.ts';

const hour = 3_600;
const options = { halfLifeSeconds: hour, maxGapSeconds: 4 * hour };

function learned() {
  const profile = emptyProfile(1, '0x000000000000000000000000000000000000b0b0');
  profile.selectors['0x2e1a7d4d'] = { calls: 7, failed: 1, windowMax: { '1b': 4, '5m': 8, '1h': 8, '24h': 8 } };
  profile.failedWindowMax = { '1b': 2, '5m': 2, '1h': 4, '24h': 4 };
  profile.assets.native = {
    outflowPerTx: { n: 0, mean: 0, m2: 0, max: 0 },
    outflowWindowMax: { '1b': 100, '5m': 100, '1h': 100, '24h': 100 },
    inflowPerTx: { n: 0, mean: 0, m2: 0, max: 0 },
    balance: '1000',
    peakBalance: '1000',
  };
  for (const value of [10, 20, 30]) addSample(profile.assets.native.outflowPerTx, value);
  profile.price = { last: 2, maxTxMove: 0.4 };
  profile.txs = 7;
  return profile;
}

describe('decayProfile', () => {
  test('default: maxima and sample weights halve over a half-life; counters stay', () => {
    const profile = learned();
    decayProfile(profile, 1_000, options);
    expect(profile.decayedAt).toBe(1_000);
    // The first call only notes the time.
    expect(profile.assets.native!.outflowWindowMax['1b']).toBe(100);
    decayProfile(profile, 1_000 + hour, options);
    const native = profile.assets.native!;
    expect(native.outflowWindowMax).toEqual({ '1b': 50, '5m': 50, '1h': 50, '24h': 50 });
    expect(native.outflowPerTx).toMatchObject({ n: 3, mean: 20, max: 15, weight: 1.5 });
    expect(profile.selectors['0x2e1a7d4d']).toEqual({
      calls: 7,
      failed: 1,
      windowMax: { '1b': 2, '5m': 4, '1h': 4, '24h': 4 },
    });
    expect(profile.failedWindowMax).toEqual({ '1b': 1, '5m': 1, '1h': 2, '24h': 2 });
    expect(profile.price).toEqual({ last: 2, maxTxMove: 0.2 });
    expect(profile.txs).toBe(7);
  });

  test('behavior: a new sample weighs more than decayed ones', () => {
    const decayed = learned();
    decayProfile(decayed, 0, options);
    decayProfile(decayed, 3 * hour, options);
    addSample(decayed.assets.native!.outflowPerTx, 100);
    const kept = learned();
    addSample(kept.assets.native!.outflowPerTx, 100);
    expect(kept.assets.native!.outflowPerTx.mean).toBe(40);
    // Weight 3/8 + 1: 20 + 80 / 1.375.
    expect(decayed.assets.native!.outflowPerTx).toMatchObject({ n: 4, weight: 1.375, max: 100 });
    expect(decayed.assets.native!.outflowPerTx.mean).toBeCloseTo(20 + 80 / 1.375, 10);
  });

  test('behavior: a long silence ages the profile by at most maxGapSeconds; Infinity never decays', () => {
    const profile = learned();
    decayProfile(profile, 0, options);
    decayProfile(profile, 100 * hour, options);
    expect(profile.assets.native!.outflowWindowMax['1b']).toBe(100 / 16);

    const kept = learned();
    decayProfile(kept, 0, { ...options, halfLifeSeconds: Infinity });
    decayProfile(kept, 100 * hour, { ...options, halfLifeSeconds: Infinity });
    expect(kept.assets.native!.outflowWindowMax['1b']).toBe(100);
    expect(kept.assets.native!.outflowPerTx.weight).toBeUndefined();
  });

  test('behavior: time going backwards does nothing', () => {
    const profile = learned();
    decayProfile(profile, 1_000, options);
    decayProfile(profile, 500, options);
    expect(profile.decayedAt).toBe(1_000);
    expect(profile.assets.native!.outflowWindowMax['1b']).toBe(100);
  });
});
