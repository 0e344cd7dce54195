import { readFileSync } from 'node:fs';
import path from 'node:path';
import { InputError, UsageError } from '@bulwark/core';
import { type Decision, WalletRefusedError } from '@bulwark/wallet';
import type { Io } from '../../main.ts';

/** Options every stored-workflow wallet command takes. */
export const storeOptions = {
  format: { type: 'string', short: 'f' },
  db: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function outputFormat(value: string | undefined): 'text' | 'json' {
  const format = value ?? 'text';
  if (format !== 'text' && format !== 'json')
    throw new UsageError(`--format ${format} is not a format here.`, { metaMessages: ['Use text or json.'] });
  return format;
}

export function readInput(io: Io, file: string, what: string): { text: string; path: string } {
  const full = path.resolve(io.cwd, file);
  try {
    return { text: readFileSync(full, 'utf8'), path: full };
  } catch (error) {
    throw new InputError(`Cannot read the ${what} ${file}.`, { cause: error, docsPath: 'wallet/policy.md' });
  }
}

export function required(value: string | undefined, flag: string, command: string): string {
  if (!value?.trim())
    throw new UsageError(`${command} needs ${flag}.`, { metaMessages: [`Run \`bulwark ${command} --help\`.`] });
  return value.trim();
}

export const exitFor = (decision: Decision) => (decision.outcome === 'allow' ? 0 : 1);

/** A decision in a few lines: outcome, rule, why, and why each earlier rule did not match. */
export function formatDecision(decision: Decision, digest: string): string {
  const lines = [
    `${decision.outcome.toUpperCase()} by rule ${decision.rule}: ${decision.reason}`,
    `  request digest ${digest}`,
    `  policy ${decision.policyDigest}`,
  ];
  if (decision.usd !== null) lines.push(`  value ${decision.usd} USD`);
  if (decision.quorum) lines.push(`  needs approval from ${JSON.stringify(decision.quorum)}`);
  for (const skipped of decision.notMatched)
    lines.push(`  - ${skipped.rule}: not matched (${skipped.failed} does not hold)`);
  return `${lines.join('\n')}\n`;
}

/** A refusal of the guard is a policy outcome (exit 1), printed as an error. */
export async function refusalsExit1(io: Io, fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (error) {
    if (!(error instanceof WalletRefusedError)) throw error;
    io.stderr(`refused (${error.reason}): ${error.shortMessage}\n`);
    return 1;
  }
}
