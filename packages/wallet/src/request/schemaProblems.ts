import { closest } from '@bulwark/core';
import type { ErrorObject } from 'ajv/dist/2020.js';

/**
 * Turns ajv errors into one line per problem: the JSON path, what is wrong, and the fix where
 * there is an obvious one (a misspelt key). Branch errors of `if`/`oneOf`/`anyOf` say more than
 * the summary error, so the summary is left out.
 */
export function schemaProblems(errors: readonly ErrorObject[]): string[] {
  const lines = new Set<string>();
  for (const error of errors.filter((e) => !['if', 'oneOf', 'anyOf'].includes(e.keyword))) {
    const where = error.instancePath || '/';
    if (error.keyword === 'additionalProperties') {
      const key = (error.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const suggestion = closest(key, known);
      lines.add(
        `${where}: unknown key '${key}'. ${suggestion ? `Did you mean '${suggestion}'?` : `Known keys: ${known.join(', ')}.`}`,
      );
    } else if (error.keyword === 'enum') {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues;
      lines.add(`${where}: must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}.`);
    } else if (error.keyword === 'pattern') {
      lines.add(
        `${where}: ${JSON.stringify(error.data)} has the wrong form (${describePattern(error.schema as string)}).`,
      );
    } else if (error.keyword === 'not') {
      lines.add(`${where}: has a field this kind of request cannot carry (${error.schemaPath}).`);
    } else {
      lines.add(`${where}: ${error.message ?? 'is invalid'}.`);
    }
  }
  return [...lines];
}

function describePattern(pattern: string): string {
  if (pattern.includes('{40}'))
    return pattern.includes('native') ? 'write native or a 0x address' : 'write a 0x address of 40 hex digits';
  if (pattern.includes('[1-9][0-9]')) return 'write an integer string in the smallest unit, e.g. "1000000"';
  if (pattern.includes('{2}){4,}')) return 'write 0x-prefixed calldata of whole bytes, at least the 4-byte selector';
  return `must match ${pattern}`;
}
