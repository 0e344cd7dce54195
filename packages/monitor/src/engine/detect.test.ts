import { describe, expect, test } from 'vitest';
import { defineRule } from '../rules/defineRule.ts';
import { testContext, testWatched, victim } from '../rules/testing.ts';
import type { Rule } from '../rules/types.ts';
import { createDetector } from './detect.ts';

const other = '0x000000000000000000000000000000000000c0c0';

/** Raises one signal per watched contract, scored by its `score` parameter. */
const everywhere = defineRule({
  id: 'everywhere',
  title: 'Everywhere',
  category: 'test',
  stage: 'impact',
  impact: 'high',
  confidence: 'medium',
  description: 'A rule for the detect tests.',
  scenario: 'None.',
  recommendation: 'None.',
  swc: [],
  owasp: [],
  control: 'SA-03',
  needs: [],
  parameters: { score: { default: 0.1, description: 'The score.' } },
  evaluate: (context) =>
    [...context.watched.keys()].map((contract) => ({
      ruleId: 'everywhere',
      stage: 'impact' as const,
      contract,
      score: context.parameter('score', contract),
      severity: 'low' as const,
      title: 'everywhere',
      summary: 'everywhere',
      details: {},
    })),
});

const input = () => {
  const { parameter: _unused, ...rest } = testContext(everywhere, {
    watched: [testWatched(), testWatched({ address: other })],
  });
  return rest;
};

describe('createDetector', () => {
  test('default: parameters per contract, then global, then the default; disabled rules dropped per contract', () => {
    const contracts: Record<string, { parameters?: Record<string, Record<string, number>>; disabledRules?: string[] }> =
      {
        [victim]: { parameters: { everywhere: { score: 0.7 } } },
        [other]: {},
      };
    const detect = createDetector({
      rules: [everywhere],
      parameters: { everywhere: { score: 0.3 } },
      contract: (address) => contracts[address],
    });
    expect(detect(input()).map((s) => [s.contract, s.score])).toEqual([
      [victim, 0.7],
      [other, 0.3],
    ]);
    contracts[other] = { disabledRules: ['everywhere'] };
    expect(detect(input()).map((s) => s.contract)).toEqual([victim]);
  });

  test('error: a rule that throws is reported and skipped; the others run', () => {
    const failure = new Error('boom');
    const throwing: Rule = {
      ...everywhere,
      id: 'throwing',
      evaluate: () => {
        throw failure;
      },
    };
    const errors: unknown[] = [];
    const detect = createDetector({
      rules: [throwing, everywhere],
      contract: () => undefined,
      onRuleError: (ruleId, error) => errors.push([ruleId, error]),
    });
    expect(detect(input())).toHaveLength(2);
    expect(errors).toEqual([['throwing', failure]]);
  });
});
