import { describe, expect, test } from 'vitest';
import { emptyLiveWindows, emptyProfile } from '../../baseline/profile.ts';
import { addSample } from '../../baseline/stats.ts';
import type { ValueFlowEvent } from '../../events/types.ts';
import { attacker, evaluate, testTx, testWatched, victim } from '../testing.ts';
import { repeatedExtractionRule as rule } from './repeated-extraction.ts';

const outflow = (amount: bigint): ValueFlowEvent => ({
  type: 'value-flow',
  chainId: 1,
  blockNumber: 100n,
  blockHash: `0x${'cd'.repeat(32)}`,
  timestamp: 1_700_000_000n,
  txHash: `0x${'ab'.repeat(32)}`,
  txIndex: 0,
  txFrom: attacker,
  txSuccess: true,
  asset: 'native',
  from: victim,
  to: attacker,
  amount,
  fromWatched: true,
  toWatched: false,
  source: 'trace',
  depth: 1,
  frameIndex: 1,
  logIndex: undefined,
});

/** A profile learned over two days in which no sender took value out more than twice in any window. */
function learned() {
  const profile = emptyProfile(1, victim);
  profile.fromTime = 1_699_800_000;
  profile.toTime = 1_700_000_000;
  profile.txs = 500;
  profile.assets.native = {
    outflowPerTx: { n: 0, mean: 0, m2: 0, max: 0 },
    outflowWindowMax: { '1b': 0, '5m': 0, '1h': 0, '24h': 0 },
    inflowPerTx: { n: 0, mean: 0, m2: 0, max: 0 },
    balance: undefined,
    peakBalance: undefined,
  };
  for (let i = 0; i < 100; i++) addSample(profile.assets.native.outflowPerTx, 1e18);
  profile.senderOutflowTxsWindowMax = { '1b': 2, '5m': 2, '1h': 2, '24h': 2 };
  return profile;
}

function withCount(count: number) {
  const live = emptyLiveWindows();
  for (const window of Object.values(live)) window.outflowTxsBySender[attacker] = count;
  return testWatched({ profile: learned(), live });
}

describe('repeated-extraction', () => {
  test('behavior: fires when one sender reaches the threshold, again at each doubling, not between', () => {
    const events = [outflow(10n ** 15n)];
    const at = (count: number) => evaluate(rule, { tx: testTx(), events, watched: [withCount(count)] });
    expect(at(5)).toHaveLength(0);
    const [signal] = at(6);
    expect(signal).toMatchObject({ ruleId: 'repeated-extraction', stage: 'impact', actor: attacker, contract: victim });
    expect(signal!.details).toMatchObject({ count: 6, threshold: 6 });
    expect(signal!.score).toBeCloseTo(0.35, 2);
    expect(at(7)).toHaveLength(0);
    const [doubled] = at(12);
    expect(doubled!.score).toBeGreaterThan(signal!.score);
    expect(at(48)[0]!.score).toBe(0.7);
  });

  test('behavior: silent for a transaction that took nothing out, and without a learned profile', () => {
    expect(evaluate(rule, { events: [], watched: [withCount(6)] })).toHaveLength(0);
    const live = emptyLiveWindows();
    live['1b'].outflowTxsBySender[attacker] = 6;
    expect(
      evaluate(rule, { events: [outflow(1n)], watched: [testWatched({ profile: undefined, live })] }),
    ).toHaveLength(0);
    const young = { ...learned(), txs: 3 };
    young.assets.native!.outflowPerTx.n = 3;
    expect(evaluate(rule, { events: [outflow(1n)], watched: [testWatched({ profile: young, live })] })).toHaveLength(0);
  });

  test('behavior: parameters move the threshold', () => {
    const events = [outflow(1n)];
    expect(evaluate(rule, { events, watched: [withCount(6)], parameters: { maxMultiple: 5 } })).toHaveLength(0);
    expect(evaluate(rule, { events, watched: [withCount(10)], parameters: { maxMultiple: 5 } })).toHaveLength(1);
  });
});
