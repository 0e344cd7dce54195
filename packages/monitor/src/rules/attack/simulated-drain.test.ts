import { describe, expect, test } from 'vitest';
import { creationSimulation, simulatedDrain } from '../../simulate/testing.ts';
import type { CreationSimulation } from '../../simulate/types.ts';
import { attacker, exploit, testContext, testTx, testWatched, user, victim } from '../testing.ts';
import { simulatedDrainRule } from './simulated-drain.ts';

const tx = testTx({ to: null });
const run = (simulations: CreationSimulation[], parameters: Record<string, number> = {}) =>
  simulatedDrainRule.evaluate({ ...testContext(simulatedDrainRule, { tx, parameters }), simulations });
const simulation = (overrides: Partial<CreationSimulation>) =>
  creationSimulation(exploit, attacker, tx.hash, {
    references: [{ contract: victim, by: 'address' }],
    ...overrides,
  });

describe('simulated-drain', () => {
  test('default: a new contract whose calls would take 5% of the watched vault', () => {
    const drain = simulatedDrain(victim, 0.05, exploit);
    const signals = run([simulation({ drains: [drain] })]);
    expect(signals).toHaveLength(1);
    // 0.5 + 0.4 × log(2.5) / log(10)
    expect(signals[0]).toMatchObject({
      ruleId: 'simulated-drain',
      stage: 'exploitation',
      contract: victim,
      score: 0.659,
      severity: 'high',
      actor: exploit,
      details: { newContract: exploit, deployer: attacker, share: 0.05, drains: [drain], simulatedCalls: 32 },
    });
    expect(signals[0]!.title).toContain('5%');
    expect(signals[0]!.summary).toContain(`to ${exploit}`);
  });

  test('behavior: the score rises with the share and saturates', () => {
    expect(run([simulation({ drains: [simulatedDrain(victim, 0.02, exploit)] })])).toMatchObject([{ score: 0.5 }]);
    expect(run([simulation({ drains: [simulatedDrain(victim, 0.5, exploit)] })])).toMatchObject([
      { score: 0.9, severity: 'critical' },
    ]);
    // The strongest drain of the contract counts; every drain is in the details.
    const both = [simulatedDrain(victim, 0.03, exploit), simulatedDrain(victim, 0.2, exploit)];
    expect(run([simulation({ drains: both })])).toMatchObject([{ score: 0.9, details: { drains: both } }]);
  });

  test('behavior: silent below minShare (a keeper reward), for trades, for unwatched contracts and without simulations', () => {
    expect(run([simulation({ drains: [simulatedDrain(victim, 0.001, exploit)] })])).toEqual([]);
    expect(
      run([
        simulation({
          trades: [
            {
              contract: victim,
              gave: [simulatedDrain(victim, 0.05, exploit)],
              got: [{ ...simulatedDrain(victim, 0.05, exploit), asset: user(9) }],
              call: simulatedDrain(victim, 0, exploit).call,
            },
          ],
        }),
      ]),
    ).toEqual([]);
    expect(run([simulation({ drains: [simulatedDrain(user(7), 0.5, exploit)] })])).toEqual([]);
    expect(simulatedDrainRule.evaluate(testContext(simulatedDrainRule, { tx, watched: [testWatched()] }))).toEqual([]);
  });

  test('behavior: parameter overrides', () => {
    const drains = [simulatedDrain(victim, 0.001, exploit)];
    expect(run([simulation({ drains })], { minShare: 0.0005, saturationShare: 0.001 })).toMatchObject([{ score: 0.9 }]);
  });
});
