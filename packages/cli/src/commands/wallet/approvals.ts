import { parseArgs } from 'node:util';
import { UsageError } from '@bulwark/core';
import { listApprovals } from '@bulwark/wallet';
import type { Io } from '../../main.ts';
import { openPool, parseAddressArgument, parseBlock, parseFormat, toJson } from './selfCustodyOptions.ts';

export const approvalsHelp = `Usage: bulwark wallet approvals ADDRESS --rpc URL [options]

Lists every approval ADDRESS has granted and that is still live: ERC-20 allowances, ERC-721 single
approvals, operator approvals (ApprovalForAll, ERC-721 and ERC-1155) and Permit2 allowances. The
approvals come from the logs (eth_getLogs in chunks, split when a node refuses a range); what is
live is read on chain. Each is flagged (unlimited, plain-account, recent-contract: created less
than 30 days ago, delegated-account) and rated high, medium or low, with the transaction that
revokes it (to, data), to be sent from ADDRESS. Whether a spender's source is verified on an
explorer is not checked.

Options:
      --rpc URL[,URL…]        JSON-RPC endpoints (required; a node that serves old state gives ages)
      --from-block N          First block to read logs from (default: 0)
      --to-block N            Last block (default: the head)
  -f, --format <text|json>    Output format (default: text)
      --fail-on <LEVEL>       Exit 1 when an approval is rated at or above: high, medium, low
                              (default: never)
  -h, --help                  Show this help

Exit codes: 0 done (or nothing at --fail-on), 1 an approval at or above --fail-on, 2 usage or RPC error.
`;

const ranks = { high: 3, medium: 2, low: 1 } as const;

export async function approvalsCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      rpc: { type: 'string' },
      'from-block': { type: 'string' },
      'to-block': { type: 'string' },
      format: { type: 'string', short: 'f' },
      'fail-on': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout(approvalsHelp);
    return 0;
  }
  const format = parseFormat(values.format, 'approvals');
  const failOn = values['fail-on'];
  if (failOn !== undefined && !(failOn in ranks)) {
    throw new UsageError(`--fail-on ${failOn} is not a level.`, { metaMessages: ['Use high, medium or low.'] });
  }
  if (positionals.length > 1)
    throw new UsageError('bulwark wallet approvals takes one ADDRESS.', { metaMessages: ['Run with --help.'] });
  const owner = parseAddressArgument(positionals[0], 'approvals');
  const pool = openPool(values.rpc, 'approvals');
  const result = await listApprovals(pool, {
    owner,
    fromBlock: parseBlock(values['from-block'], '--from-block'),
    toBlock: parseBlock(values['to-block'], '--to-block'),
  });
  if (format === 'json') {
    io.stdout(toJson(result));
  } else {
    const lines = [
      `${result.approvals.length} live approval(s) granted by ${owner} (blocks ${result.fromBlock}–${result.toBlock}; ${result.inactive} no longer live)`,
    ];
    for (const a of result.approvals) {
      const what =
        a.kind === 'erc721'
          ? `NFT #${a.tokenId}`
          : a.kind === 'operator'
            ? 'all NFTs (operator)'
            : `allowance ${a.allowance}`;
      lines.push(
        '',
        `  ${a.risk.toUpperCase().padEnd(6)} ${a.kind.padEnd(8)} token ${a.token} → ${a.spender}${a.spenderName ? ` (${a.spenderName})` : ''}`,
        `         ${what}${a.expiration !== undefined ? `, expires ${new Date(Number(a.expiration) * 1000).toISOString()}` : ''}${a.flags.length ? `; ${a.flags.join(', ')}` : ''}`,
        `         revoke: to ${a.revoke.to} data ${a.revoke.data}  (${a.revoke.description})`,
      );
    }
    io.stdout(`${lines.join('\n')}\n`);
  }
  if (failOn === undefined) return 0;
  const threshold = ranks[failOn as keyof typeof ranks];
  return result.approvals.some((a) => ranks[a.risk] >= threshold) ? 1 : 0;
}
