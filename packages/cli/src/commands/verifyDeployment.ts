import { parseArgs } from 'node:util';
import { UsageError } from '@bulwark/core';
import { type DeploymentCheck, loadManifest, resolveActor, verifyDeployments } from '@bulwark/governance';
import type { Io } from '../main.ts';
import { withStore } from '../store.ts';

export const verifyDeploymentHelp = `Usage: bulwark verify-deployment [options]

Fetches the runtime code at each deployment in the manifest (eth_getCode) and compares it with
the contract's artifact, ignoring the compiler's metadata hash and the immutables filled in at
deployment. A match records the code hash and status; a mismatch, or no code where a contract is
recorded as deployed, opens a high-severity incident with both hashes. Every check is logged.

Options:
      --network CHAIN_ID    Only deployments on this chain
      --rpc URL             RPC to use (default: the variable each deployment names in rpc:)
      --contract NAME       Only this contract
      --manifest FILE       The manifest (default: bulwark.config.ts, .yaml, .yml or .json here)
  -f, --format <text|json>  Output format (default: text)
      --actor NAME          Who is acting, for the log (default: $BULWARK_ACTOR, else $USER)
      --db DIR              PGlite data folder (default: .bulwark/db; DATABASE_URL selects PostgreSQL)
  -h, --help                Show this help

Deployments with status deprecated, or without an address, are not checked; a planned one with
no code yet is reported as pending. RPC URLs are never printed.

Exit codes: 0 all checked deployments match, 1 a mismatch or missing code,
2 usage or tool error (no RPC, RPC down, no artifact).
Docs: docs/governance/verify-deployment.md
`;

export async function verifyDeploymentCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      network: { type: 'string' },
      rpc: { type: 'string' },
      contract: { type: 'string' },
      manifest: { type: 'string' },
      format: { type: 'string', short: 'f' },
      actor: { type: 'string' },
      db: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout(verifyDeploymentHelp);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`Unexpected argument '${positionals[0]}'. Run with --help.`);
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json')
    throw new UsageError(`--format ${format} is not a format here.`, { metaMessages: ['Use text or json.'] });
  let chainId: number | undefined;
  if (values.network !== undefined) {
    chainId = Number(values.network);
    if (!Number.isSafeInteger(chainId) || chainId <= 0)
      throw new UsageError(`--network ${values.network} is not a chain id.`, {
        metaMessages: ['Give the numeric chain id, e.g. --network 1 for Ethereum mainnet.'],
      });
  }
  if (values.rpc !== undefined && !/^https?:\/\//i.test(values.rpc))
    throw new UsageError('--rpc is not an http(s) URL.', {
      metaMessages: ['Give the JSON-RPC endpoint, e.g. --rpc http://127.0.0.1:8545'],
    });
  const loaded = await loadManifest({ cwd: io.cwd, file: values.manifest });
  if (values.contract && !loaded.manifest.contracts.some((c) => c.name === values.contract))
    throw new UsageError(`The manifest has no contract ${values.contract}.`, {
      metaMessages: [`Its contracts: ${loaded.manifest.contracts.map((c) => c.name).join(', ') || 'none'}.`],
    });
  const actor = resolveActor(values.actor, io.env);
  const { checks, ok } = await withStore(io, { db: values.db }, (store) =>
    verifyDeployments(store, loaded, { chainId, contract: values.contract, rpcUrl: values.rpc, env: io.env, actor }),
  );
  if (format === 'json') io.stdout(`${JSON.stringify({ ok, checks }, null, 2)}\n`);
  else io.stdout(formatChecks(checks));
  if (checks.some((c) => c.result === 'mismatch' || c.result === 'no-code')) return 1;
  if (checks.some((c) => c.result === 'error')) return 2;
  return ok ? 0 : 1;
}

const labels: Record<DeploymentCheck['result'], string> = {
  match: 'match',
  mismatch: 'MISMATCH',
  'no-code': 'NO CODE',
  pending: 'pending',
  error: 'error',
};

function formatChecks(checks: DeploymentCheck[]): string {
  if (checks.length === 0) return 'No deployment to check (none with an address on the selected chain).\n';
  const out: string[] = [];
  for (const check of checks) {
    const where = `${check.contract} on chain ${check.chainId}${check.network ? ` (${check.network})` : ''} at ${check.address}`;
    out.push(`${labels[check.result].padEnd(8)}  ${where}`);
    if (check.result === 'match') out.push(`          code hash ${check.actualHash}`);
    if (check.result === 'mismatch' || check.result === 'no-code') {
      out.push(`          expected  ${check.expectedHash}`);
      out.push(`          deployed  ${check.actualHash ?? '(no code)'}`);
    }
    if (check.message) out.push(`          ${check.message}`);
    if (check.incidentId) out.push(`          incident ${check.incidentId} opened (severity high)`);
  }
  const count = (result: DeploymentCheck['result']) => checks.filter((c) => c.result === result).length;
  const failed = count('mismatch') + count('no-code');
  out.push(
    `${count('match')} match, ${failed} failed, ${count('pending')} pending, ${count('error')} not checked (error).`,
  );
  return `${out.join('\n')}\n`;
}
