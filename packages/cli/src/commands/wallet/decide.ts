import path from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '@bulwark/core';
import {
  compilePolicy,
  decideRequest,
  loadPolicy,
  parseRequestText,
  priceSourceFor,
  requestDigest,
  valueRequest,
} from '@bulwark/wallet';
import type { Io } from '../../main.ts';
import { exitFor, formatDecision, outputFormat, readInput, required } from './shared.ts';

export const decideHelp = `Usage: bulwark wallet decide --policy FILE --request FILE [options]

Decides a request under a policy file and explains it: the rule that matched and why, and why
each earlier rule did not. Touches no key and no store. Velocity limits count only this request
(the stored workflow, \`bulwark wallet request\`, counts the window).

Options:
      --policy FILE         Policy file (wallet.policy.schema.json)
      --request FILE        Request file (wallet.request.schema.json)
      --at ISO-TIME         Decide as of this time (default: now), e.g. for allowlist cool-downs
  -f, --format <text|json>  Output format (default: text)
  -h, --help                Show this help

Exit codes: 0 allowed, 1 blocked or held for approval, 2 usage or input error.
`;

export async function decideCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      policy: { type: 'string' },
      request: { type: 'string' },
      at: { type: 'string' },
      format: { type: 'string', short: 'f' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout(decideHelp);
    return 0;
  }
  if (positionals.length > 0)
    throw new UsageError(`Unexpected argument '${positionals[0]}' for wallet decide.`, {
      metaMessages: ['Give the files as --policy FILE --request FILE.'],
    });
  const format = outputFormat(values.format);
  const now = values.at === undefined ? Date.now() : Date.parse(values.at);
  if (Number.isNaN(now))
    throw new UsageError(`--at ${values.at} is not a time.`, {
      metaMessages: ['Write an ISO time, e.g. 2026-01-10T09:00:00Z.'],
    });
  const policyPath = path.resolve(io.cwd, required(values.policy, '--policy FILE', 'wallet decide'));
  const requestFile = readInput(io, required(values.request, '--request FILE', 'wallet decide'), 'request file');
  const compiled = compilePolicy(loadPolicy(policyPath));
  const request = parseRequestText(requestFile.text, values.request);
  const usd = await valueRequest(compiled, priceSourceFor(compiled, path.dirname(policyPath)), request);
  const decision = decideRequest(compiled, request, { now, usd });
  const digest = requestDigest(request);
  if (format === 'json') io.stdout(`${JSON.stringify({ decision, digest }, null, 2)}\n`);
  else io.stdout(formatDecision(decision, digest));
  return exitFor(decision);
}
