import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createRpcPool } from '@bulwark/chain';
import { InputError, UsageError } from '@bulwark/core';
import {
  type PreviewSeverity,
  parsePreviewRequest,
  previewTransaction,
  type TransactionPreview,
} from '@bulwark/wallet';
import type { Io } from '../../main.ts';

export const walletPreviewHelp = `Usage: bulwark wallet preview --request FILE --rpc URL [options]

Simulates a transaction (or a Safe transaction) on the chain before anyone signs it, and shows
what it would do: asset changes per account (native, ERC-20, ERC-721, ERC-1155), approvals, the
SafeTx hash a Safe's owners must see on their hardware wallet, and flags for a delegatecall, a
Safe owner/threshold/module/guard/fallback-handler change, a proxy implementation or admin change,
an approval, a revert. Nothing is signed or sent. The node must support debug_traceCall (anvil,
geth, reth, Erigon).

The request file (JSON):
  {"chainId": 1, "from": "0x…", "to": "0x…", "value": "0", "data": "0x…",
   "operation": 0, "safe": "0x…"}
  value is wei; operation (0 call, 1 delegatecall) and safe are for a Safe transaction.

Options:
      --request <file>            The request to preview (required)
      --rpc <url>                 JSON-RPC endpoint of the request's chain (required; or BULWARK_RPC_URL)
      --fail-on <severity>        Exit 1 when a flag is at or above it: critical, high, medium,
                                  low, or none (default: high)
  -f, --format <text|json>        Output format (default: text)
  -h, --help                      Show this help

Exit codes: 0 nothing at or above --fail-on, 1 a flag at or above it, 2 usage error, unreadable
request, or the node could not be reached.
`;

const severities: PreviewSeverity[] = ['critical', 'high', 'medium', 'low', 'info'];

export async function walletPreviewCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      request: { type: 'string' },
      rpc: { type: 'string' },
      'fail-on': { type: 'string' },
      format: { type: 'string', short: 'f' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout(walletPreviewHelp);
    return 0;
  }
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json')
    throw new UsageError(`--format ${format} is not a format.`, { metaMessages: ['Use text or json.'] });
  if (positionals.length > 0)
    throw new UsageError(`Unexpected argument '${positionals[0]}'; give the request with --request FILE.`);
  if (!values.request) throw new UsageError('--request FILE is required: the transaction to preview.');
  const rpc = values.rpc ?? io.env.BULWARK_RPC_URL;
  if (!rpc) throw new UsageError('--rpc URL is required (or set BULWARK_RPC_URL): an endpoint of the request’s chain.');
  const failOn = values['fail-on'] ?? 'high';
  if (failOn !== 'none' && !severities.includes(failOn as PreviewSeverity))
    throw new UsageError(`--fail-on ${failOn} is not a severity.`, {
      metaMessages: ['Use critical, high, medium, low or none.'],
    });

  const file = path.resolve(io.cwd, values.request);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new InputError(
      code ? `Cannot read the request ${values.request} (${code}).` : `The request ${values.request} is not JSON.`,
      { docsPath: 'wallet/signers.md#preview' },
    );
  }
  const request = parsePreviewRequest(parsed, `The request ${values.request}`);
  const preview = await previewTransaction({ pool: createRpcPool({ endpoints: [rpc], retryCount: 1 }), request });

  if (format === 'json') io.stdout(`${JSON.stringify(preview, null, 2)}\n`);
  else io.stdout(renderPreview(preview));
  if (failOn === 'none') return 0;
  const limit = severities.indexOf(failOn as PreviewSeverity);
  return preview.flags.some((flag) => severities.indexOf(flag.severity) <= limit) ? 1 : 0;
}

function renderPreview(preview: TransactionPreview): string {
  const lines: string[] = [];
  lines.push(
    `${preview.safe ? `Safe ${preview.account}` : preview.account} → ${preview.to}${preview.operation === 1 ? ' (DELEGATECALL)' : ''}, value ${preview.value} wei, chain ${preview.chainId}`,
  );
  lines.push(`Simulation: ${preview.status}${preview.revertReason ? ` (${preview.revertReason})` : ''}`);
  if (preview.safe) {
    lines.push(`SafeTx hash: ${preview.safe.safeTxHash}`);
    lines.push(
      `  Safe ${preview.safe.version}, nonce ${preview.safe.nonce}, ${preview.safe.threshold} of ${preview.safe.owners.length} owners; compare this hash with your hardware wallet's screen.`,
    );
  }
  lines.push('', 'Asset changes:');
  if (preview.assetChanges.length === 0) lines.push('  none');
  for (const entry of preview.assetChanges) {
    lines.push(`  ${entry.account}${entry.account === preview.account ? ' (this account)' : ''}`);
    for (const change of entry.changes) {
      const sign = change.delta.startsWith('-') ? '' : '+';
      const ids = change.tokenIds
        ? ` ids in [${change.tokenIds.in.join(', ')}] out [${change.tokenIds.out.join(', ')}]`
        : '';
      lines.push(
        `    ${sign}${change.delta} ${change.asset === 'native' ? 'wei' : `${change.standard} ${change.asset}`}${ids}`,
      );
    }
  }
  if (preview.approvals.length > 0) {
    lines.push('', 'Approvals:');
    for (const a of preview.approvals)
      lines.push(`  ${a.owner} → ${a.spender}: ${a.unlimited ? 'UNLIMITED' : a.amount} (${a.standard} ${a.token})`);
  }
  lines.push('', preview.flags.length === 0 ? 'Flags: none' : 'Flags:');
  for (const flag of preview.flags) lines.push(`  [${flag.severity.toUpperCase()}] ${flag.id}: ${flag.message}`);
  return `${lines.join('\n')}\n`;
}
