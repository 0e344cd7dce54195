import { BaseError, validateMetadata } from '@bulwark/core';
import { type Rule, ruleStages } from './types.ts';

export class RuleDefinitionError extends BaseError {
  override name = 'RuleDefinitionError';
}

/** Validates a rule's metadata when its module loads, so a rule missing a field never ships. */
export function defineRule(rule: Rule): Rule {
  validateMetadata(rule);
  const fail = (problem: string) => {
    throw new RuleDefinitionError(`Monitor rule '${rule.id}': ${problem}.`, { docsPath: 'contributing.md#rules' });
  };
  if (!rule.category) fail('a category is required');
  if (!ruleStages.includes(rule.stage)) fail(`stage must be one of ${ruleStages.join(', ')}`);
  if (typeof rule.evaluate !== 'function') fail('an evaluate function is required');
  for (const [name, parameter] of Object.entries(rule.parameters)) {
    if (!Number.isFinite(parameter.default) || !parameter.description) {
      fail(`parameter '${name}' needs a finite default and a description`);
    }
  }
  return rule;
}
