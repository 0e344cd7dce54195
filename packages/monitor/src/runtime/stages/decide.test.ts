import { expect, test } from 'vitest';
import { testTx } from '../../rules/testing.ts';
import type { Signal } from '../../rules/types.ts';
import { decide, opensIncident, verdictAlert } from './decide.ts';

const vault = '0x00000000000000000000000000000000000000aa';
const signal = (severity: Signal['severity'], summary = 'called 0x4641257d'): Signal => ({
  ruleId: 'unknown-selector',
  stage: 'preparation',
  contract: vault,
  score: 0.3,
  severity,
  title: `Unknown selector 0x4641257d`,
  summary,
  actor: '0x00000000000000000000000000000000000000cc',
  details: { selector: '0x4641257d' },
});
const options = {
  chainId: 5,
  names: new Map([[vault, 'Vault']]),
  functionNames: new Map([[vault, new Map([['0x4641257d', 'harvest()']])]]),
};

test('default: one alert per signal at or above the minimum severity, selectors named', () => {
  const tx = testTx();
  const decision = decide(
    { number: 9n, flagged: [{ tx, events: [], signals: [signal('high'), signal('info')], verdicts: [] }], pauses: [] },
    { ...options, minSeverity: 'low' },
  );
  expect(decision.alerts).toHaveLength(1);
  expect(decision.alerts[0]).toMatchObject({
    ruleId: 'unknown-selector',
    severity: 'high',
    chainId: 5,
    blockNumber: '9',
    txHash: tx.hash,
    title: 'Unknown selector harvest() (0x4641257d)',
    summary: 'called harvest() (0x4641257d)',
    dedupeKey: `5:unknown-selector:${vault}:0x00000000000000000000000000000000000000cc`,
  });
  expect(decision.txHash).toBe(tx.hash);
  expect(decision.verdicts).toEqual([]);
});

test('behavior: a verdict alert is critical and keyed by its incident; medium and above open incidents', () => {
  const alert = verdictAlert(
    { contract: vault, score: 1.1, signals: [signal('high')], stages: ['preparation'], pause: true, firstBlock: 3n },
    4n,
    undefined,
    'inc-1',
    options,
  );
  expect(alert).toMatchObject({
    ruleId: 'composite-score',
    severity: 'critical',
    dedupeKey: `5:composite-score:${vault}:inc-1`,
  });
  expect(alert.title).toBe('Attack on Vault: composite score 1.1');
  expect([opensIncident('critical'), opensIncident('medium'), opensIncident('low'), opensIncident('info')]).toEqual([
    true,
    true,
    false,
    false,
  ]);
});
