import type { CallFrame, Tx } from '@bulwark/chain';
import type { Address } from 'viem';
import { describe, expect, test } from 'vitest';
import {
  attacker,
  callFrame,
  created,
  evaluateTx,
  exploit,
  frame,
  type TestContextParameters,
  testTx,
  victim,
} from '../testing.ts';
import type { WatchedView } from '../types.ts';
import { knownMaliciousAddressRule } from './known-malicious-address.ts';

const router = '0x00000000000000000000000000000000000000f0' as Address;
const mixer = '0x000000000000000000000000000000000000a1c5' as Address;
const user = '0x0000000000000000000000000000000000000123' as Address;
const label = 'Exploiter of an earlier incident';

const run = (tx: Tx, more: TestContextParameters = {}, watched?: WatchedView[]) =>
  evaluateTx(knownMaliciousAddressRule, tx, { ...more, watched });

const through = (from: Address, ...hops: Address[]): CallFrame => {
  const [first, ...rest] = hops;
  return callFrame(from, first!, { calls: rest.length > 0 ? [through(first!, ...rest)] : [] });
};

describe('known-malicious-address', () => {
  test('default: a labelled sender calls the watched contract', () => {
    const signals = run(testTx({ trace: through(attacker, victim) }), { threats: { [attacker]: label } });
    expect(signals).toHaveLength(1);
    expect(signals[0]).toMatchObject({
      ruleId: 'known-malicious-address',
      stage: 'preparation',
      contract: victim,
      score: 0.6,
      severity: 'high',
      actor: attacker,
      details: { matches: [{ address: attacker, label, roles: expect.arrayContaining(['sender', 'direct-caller']) }] },
    });
  });

  test('behavior: a labelled contract calling the watched contract directly', () => {
    const tx = testTx({ from: user, to: exploit, trace: through(user, exploit, victim) });
    expect(run(tx, { threats: { [exploit]: label } })).toMatchObject([
      { score: 0.6, actor: exploit, details: { matches: [{ address: exploit, roles: ['frame', 'direct-caller'] }] } },
    ]);
  });

  test('behavior: labelled accounts further away score less', () => {
    // In the trace, not calling the watched contract.
    const tx = testTx({ from: user, to: router, trace: through(user, router, exploit, router, victim) });
    expect(run(tx, { threats: { [exploit]: label } })).toMatchObject([
      { score: 0.4, severity: 'medium', details: { matches: [{ address: exploit, roles: ['frame'] }] } },
    ]);

    // Paid by the watched contract.
    const payout = testTx({
      from: user,
      trace: callFrame(user, victim, { calls: [frame(victim, mixer, { value: 10n })] }),
    });
    expect(run(payout, { threats: { [mixer]: 'Mixer' } })).toMatchObject([
      {
        score: 0.4,
        details: { matches: [{ address: mixer, label: 'Mixer', roles: expect.arrayContaining(['counterparty']) }] },
      },
    ]);

    // The deployer of a recent contract the call goes through.
    const viaFresh = testTx({ from: user, to: exploit, trace: through(user, exploit, victim) });
    expect(
      run(viaFresh, { threats: { [mixer]: 'Mixer' }, creations: [created(exploit, 1, mixer, mixer)] }),
    ).toMatchObject([
      { score: 0.4, details: { matches: [{ address: mixer, roles: ['creator', 'creation-sender'] }] } },
    ]);
  });

  test('behavior: silent when no watched contract is touched, or nobody is labelled', () => {
    const elsewhere = testTx({ to: router, trace: through(attacker, router, exploit) });
    expect(run(elsewhere, { threats: { [attacker]: label } })).toEqual([]);
    expect(run(testTx({ from: user, trace: through(user, victim) }), { threats: { [attacker]: label } })).toEqual([]);
    // Without a trace the sender still counts.
    expect(run(testTx({ input: '0xd0e30db0' }), { threats: { [attacker]: label } })).toMatchObject([{ score: 0.6 }]);
  });

  test('behavior: parameter overrides', () => {
    const tx = testTx({ trace: through(attacker, victim) });
    expect(run(tx, { threats: { [attacker]: label }, parameters: { directScore: 0.7 } })).toMatchObject([
      { score: 0.7 },
    ]);
    const payout = testTx({
      from: user,
      trace: callFrame(user, victim, { calls: [frame(victim, mixer, { value: 10n })] }),
    });
    expect(run(payout, { threats: { [mixer]: 'Mixer' }, parameters: { indirectScore: 0 } })).toEqual([]);
  });
});
