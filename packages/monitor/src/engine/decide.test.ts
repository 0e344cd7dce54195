import { describe, expect, test } from 'vitest';
import { allRules } from '../rules/index.ts';
import type { Signal } from '../rules/types.ts';
import type { CompositeVerdict } from './composite.ts';
import { createDecider, unequivocalRules } from './decide.ts';

const contract = '0x000000000000000000000000000000000000b0b0';
const signal = (ruleId: string, stage: Signal['stage']): Signal => ({
  ruleId,
  stage,
  contract,
  score: 0.5,
  severity: 'high',
  title: ruleId,
  summary: ruleId,
  details: {},
});
const verdict = (signals: Signal[], pause = true): CompositeVerdict => ({
  contract,
  score: 1,
  signals,
  stages: [...new Set(signals.map((s) => s.stage))],
  pause,
  firstBlock: 1n,
});

describe('decide', () => {
  test('default: the unequivocal rules are the exploitation rules that read no baseline', () => {
    expect([...unequivocalRules(allRules)].sort()).toEqual([
      'admin-change',
      'control-to-fresh-address',
      'oracle-jump',
      'reentrant-call',
      'simulated-drain',
      'third-party-pull',
    ]);
  });

  test('behavior: while warming up, a pause needs an unequivocal signal and value leaving', () => {
    const decide = createDecider(new Set(['reentrant-call', 'admin-change']));
    const run = (signals: Signal[], warmingUp: boolean, outflow: boolean) =>
      decide({ verdicts: [verdict(signals)], warmingUp: () => warmingUp, outflow: () => outflow })[0]!;
    const baselineOnly = [signal('selector-rate-spike', 'exploitation'), signal('outflow-spike', 'impact')];
    expect(run(baselineOnly, false, true).pause).toBe(true);
    expect(run(baselineOnly, true, true)).toMatchObject({ pause: false, heldBack: expect.stringMatching(/warm-up/) });
    // Re-entry with outflow in the transaction, or a takeover with an impact signal: pause.
    expect(
      run([signal('reentrant-call', 'exploitation'), signal('fresh-contract-caller', 'preparation')], true, true).pause,
    ).toBe(true);
    expect(run([signal('admin-change', 'exploitation'), signal('outflow-spike', 'impact')], true, false).pause).toBe(
      true,
    );
    // A takeover with nothing leaving: held back.
    expect(
      run([signal('admin-change', 'exploitation'), signal('fresh-contract-caller', 'preparation')], true, false).pause,
    ).toBe(false);
    // A verdict below the line stays below it.
    expect(
      decide({ verdicts: [verdict(baselineOnly, false)], warmingUp: () => false, outflow: () => true })[0]!.pause,
    ).toBe(false);
  });
});
