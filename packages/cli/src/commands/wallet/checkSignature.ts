import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { InputError, UsageError } from '@bulwark/core';
import { checkSignature, type RiskLevel, riskAtLeast, riskLevels } from '@bulwark/wallet';
import type { Io } from '../../main.ts';
import { openPool, parseAddressArgument, parseFormat, toJson } from './selfCustodyOptions.ts';

export const checkSignatureHelp = `Usage: bulwark wallet check-signature FILE [options]

Decodes what a signature request would authorise and reports how risky signing it is. FILE holds
EIP-712 typed data ({domain, types, primaryType, message}), a JSON-RPC request
({"method": "eth_signTypedData_v4" | "eth_sign" | "personal_sign", "params": [...]}) or an EIP-7702
authorization ({chainId, address, nonce}). Use - to read standard input.

Recognised: EIP-2612 and DAI permits, Permit2 allowances and transfers (single, batch, witness),
Seaport, Blur and LooksRare orders, eth_sign of a hash, personal_sign of bytes or of a login
(EIP-4361), EIP-7702 authorizations, votes. Checks: token-permit, permit2-allowance,
permit2-transfer, marketplace-giveaway, blind-signature, eip7702-delegation, unlimited-amount,
far-deadline, spender-risk, domain-mismatch, login-message, unrecognized-typed-data.

Options:
  -f, --format <text|json>   Output format (default: text); json has risk, kind, findings, decoded
      --chain-id N           The chain you are on: the domain, login and authorization must match it
      --rpc URL              Read spenders' and delegates' code and creation age from this node
                             (without it, spenders are reported as not checked)
      --trust ADDR[,ADDR…]   Spenders to treat like the well-known routers (your own contracts)
      --fail-on <LEVEL>      Exit 1 when the risk is at or above: critical, high, medium, low
                             (default: high)
  -h, --help                 Show this help

Risk levels: critical, high, medium, low, none (the worst finding; info findings count as none).
Exit codes: 0 risk below --fail-on, 1 risk at or above --fail-on, 2 usage error or unreadable file.
`;

export async function checkSignatureCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string', short: 'f' },
      'chain-id': { type: 'string' },
      rpc: { type: 'string' },
      trust: { type: 'string', multiple: true },
      'fail-on': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout(checkSignatureHelp);
    return 0;
  }
  const format = parseFormat(values.format, 'check-signature');
  const failOn = (values['fail-on'] ?? 'high') as RiskLevel;
  if (!riskLevels.includes(failOn) || failOn === 'none') {
    throw new UsageError(`--fail-on ${values['fail-on']} is not a risk level.`, {
      metaMessages: ['Use critical, high, medium or low.'],
    });
  }
  let chainId: number | undefined;
  if (values['chain-id'] !== undefined) {
    chainId = Number(values['chain-id']);
    if (!Number.isSafeInteger(chainId) || chainId <= 0) {
      throw new UsageError(`--chain-id ${values['chain-id']} is not a chain id.`, {
        metaMessages: ['Give a positive integer, e.g. 1.'],
      });
    }
  }
  const [file, ...extra] = positionals;
  if (!file || extra.length > 0) {
    throw new UsageError('bulwark wallet check-signature takes one FILE.', { metaMessages: ['Run with --help.'] });
  }
  const input = readJson(file, io.cwd);
  const pool = values.rpc ? openPool(values.rpc, 'check-signature') : undefined;
  const trusted = (values.trust ?? []).flatMap((list) => list.split(',').map((a) => a.trim()));
  for (const address of trusted) parseAddressArgument(address, 'check-signature --trust');
  const result = await checkSignature({ input, chainId, pool, trusted });
  if (format === 'json') {
    const { decoded, ...rest } = result;
    io.stdout(
      toJson({
        ...rest,
        decoded: {
          domain: decoded.domain,
          primaryType: decoded.primaryType,
          digest: decoded.digest,
          fields: decoded.fields,
          grants: decoded.grants,
          orders: decoded.orders,
          authorization: decoded.authorization,
          login: decoded.login,
        },
      }),
    );
  } else {
    const lines = [
      `risk: ${result.risk} (${result.kind}, ${result.method})`,
      result.summary,
      ...(result.decoded.digest ? [`EIP-712 digest: ${result.decoded.digest} (compare with the hardware wallet)`] : []),
      '',
      ...result.findings.map((f) => `  ${f.severity.padEnd(8)} ${f.id.padEnd(24)} ${f.message}`),
      ...(result.onChainChecked || (result.decoded.grants.length === 0 && !result.decoded.authorization)
        ? []
        : ['', 'Spenders were not checked on chain: give --rpc URL.']),
    ];
    io.stdout(`${lines.join('\n')}\n`);
  }
  return riskAtLeast(result.risk, failOn) ? 1 : 0;
}

/** A signature request is a few kilobytes; a Seaport bulk order of the largest tree stays well under this. */
const maxRequestBytes = 4 * 1024 * 1024;

function readJson(file: string, cwd: string): unknown {
  let text: string;
  try {
    text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(resolve(cwd, file), 'utf8');
  } catch (cause) {
    throw new InputError(`Cannot read ${file}.`, { cause, metaMessages: ['Check the path.'] });
  }
  if (Buffer.byteLength(text) > maxRequestBytes) {
    throw new InputError(`${file} is larger than ${maxRequestBytes / 1024 / 1024} MB: not a signature request.`, {
      metaMessages: ['Give the JSON a dapp passes to the wallet.'],
      docsPath: 'wallet/self-custody.md#check-signature',
    });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new InputError(`${file} is not JSON.`, {
      cause,
      metaMessages: ['Give typed data or a JSON-RPC request as JSON.'],
      docsPath: 'wallet/self-custody.md#check-signature',
    });
  }
}
