import { describe, expect, test } from 'vitest';
import { emptyProfile } from './profile.ts';
import { describeWarmUp, warmUpState } from './warmUp.ts';

describe('warmUpState', () => {
  test('default: warming up until both 200 transactions and 100 blocks are learned', () => {
    const profile = emptyProfile(1, '0x000000000000000000000000000000000000b0b0');
    expect(warmUpState(profile)).toEqual({ warmingUp: true, txs: 0, blocks: 0, needTxs: 200, needBlocks: 100 });
    profile.txs = 500;
    profile.blocks = 99;
    expect(warmUpState(profile).warmingUp).toBe(true);
    profile.blocks = 100;
    expect(warmUpState(profile).warmingUp).toBe(false);
    profile.txs = 199;
    expect(warmUpState(profile).warmingUp).toBe(true);
    expect(warmUpState(profile, { txs: 10, blocks: 10 }).warmingUp).toBe(false);
  });

  test('behavior: described for people, with what it means for pauses', () => {
    const profile = emptyProfile(1, '0x000000000000000000000000000000000000b0b0');
    profile.txs = 120;
    profile.blocks = 300;
    expect(describeWarmUp(warmUpState(profile))).toBe(
      'warming up (120 of 200 transactions, 300 of 100 blocks learned): alerts, but pauses only on unequivocal exploitation (re-entry or a takeover, with outflow)',
    );
    profile.txs = 250;
    expect(describeWarmUp(warmUpState(profile))).toMatch(/^mature \(250 of 200 transactions.*may pause$/);
  });
});
