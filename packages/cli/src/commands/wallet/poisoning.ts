import { parseArgs } from 'node:util';
import { UsageError } from '@bulwark/core';
import { checkDestinationHistory, findPoisoning } from '@bulwark/wallet';
import type { Io } from '../../main.ts';
import { openPool, parseAddressArgument, parseBlock, parseFormat, toJson } from './selfCustodyOptions.ts';

export const poisoningHelp = `Usage: bulwark wallet poisoning ADDRESS --rpc URL [options]

Finds address poisoning in the token history of ADDRESS: look-alike addresses (the same first and
last hex characters as an address ADDRESS really paid) that entered the history by a forged
zero-value transferFrom out of ADDRESS, a zero-value or dust transfer in, or a transfer of a token
ADDRESS never used with the real counterparty (a fake token). A look-alike ADDRESS already paid is
critical. With --destination, also judges an address about to be paid.
Token transfers (ERC-20, ERC-721) are read from the logs; plain ether transfers only with --native.

Options:
      --rpc URL[,URL…]        JSON-RPC endpoints (required)
      --destination ADDR      Check this destination against the history
      --counterparty ADDR[,…] Addresses you really deal with besides those paid in the history
                              (an address book: look-alikes of these are reported too)
      --native                Also read ether transfers, one block at a time (needs --from-block)
      --prefix N              Leading hex characters that must match (default: 4)
      --suffix N              Trailing hex characters that must match (default: 4)
      --from-block N          First block to read (default: 0)
      --to-block N            Last block (default: the head)
  -f, --format <text|json>    Output format (default: text)
  -h, --help                  Show this help

Exit codes: 0 nothing found, 1 a look-alike found (or --destination is one), 2 usage or RPC error.
`;

export async function poisoningCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      rpc: { type: 'string' },
      destination: { type: 'string' },
      counterparty: { type: 'string', multiple: true },
      native: { type: 'boolean' },
      prefix: { type: 'string' },
      suffix: { type: 'string' },
      'from-block': { type: 'string' },
      'to-block': { type: 'string' },
      format: { type: 'string', short: 'f' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout(poisoningHelp);
    return 0;
  }
  const format = parseFormat(values.format, 'poisoning');
  if (positionals.length > 1)
    throw new UsageError('bulwark wallet poisoning takes one ADDRESS.', { metaMessages: ['Run with --help.'] });
  const address = parseAddressArgument(positionals[0], 'poisoning');
  const destination =
    values.destination === undefined ? undefined : parseAddressArgument(values.destination, 'poisoning --destination');
  const knownCounterparties = (values.counterparty ?? [])
    .flatMap((list) => list.split(','))
    .map((a) => parseAddressArgument(a.trim(), 'poisoning --counterparty'));
  if (values.native && values['from-block'] === undefined) {
    throw new UsageError('--native reads every block of the range: give --from-block.', {
      metaMessages: ['For example the block of the first transaction of ADDRESS.'],
    });
  }
  const parameters = {
    address,
    knownCounterparties,
    native: values.native,
    prefix: characters(values.prefix, '--prefix'),
    suffix: characters(values.suffix, '--suffix'),
    fromBlock: parseBlock(values['from-block'], '--from-block'),
    toBlock: parseBlock(values['to-block'], '--to-block'),
  };
  const pool = openPool(values.rpc, 'poisoning');
  const { history, check } = destination
    ? await checkDestinationHistory(pool, { ...parameters, destination })
    : { history: await findPoisoning(pool, parameters), check: undefined };
  if (format === 'json') {
    io.stdout(
      toJson({
        ...history,
        ...(destination ? { destination: check ?? { destination, imitates: [], message: 'not a look-alike' } } : {}),
      }),
    );
  } else {
    const lines = [
      `${history.findings.length} look-alike(s) in the history of ${address} (${history.transfersRead} token transfers, ${history.counterparties.length} counterparties, blocks ${history.fromBlock}–${history.toBlock})`,
    ];
    for (const finding of history.findings) {
      lines.push(
        '',
        `  ${finding.severity.toUpperCase().padEnd(8)} ${finding.lookalike} imitates ${finding.imitates.join(', ')}`,
        `           ${finding.message}`,
      );
      for (const e of finding.evidence)
        lines.push(`           ${e.kind}: ${e.amount} of ${e.token} in ${e.transactionHash} (block ${e.block})`);
    }
    if (destination)
      lines.push('', check ? check.message : `Destination ${destination}: not a look-alike of a counterparty.`);
    io.stdout(`${lines.join('\n')}\n`);
  }
  return history.findings.length > 0 || check ? 1 : 0;
}

function characters(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 20)
    throw new UsageError(`${flag} ${value} is not a count of characters.`, { metaMessages: ['Give 1 to 20.'] });
  return n;
}
