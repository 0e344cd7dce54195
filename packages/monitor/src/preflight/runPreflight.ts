import { createRpcPool, type RpcEndpointConfig, type RpcPool } from '@bulwark/chain';
import type { Address } from 'viem';
import { loadThreatIntel, type MonitorConfig } from '../config/loadConfig.ts';
import { loadGuardianKey } from '../responder/guardianKey.ts';
import { checkAbi } from './checkAbi.ts';
import { checkCode } from './checkCode.ts';
import { checkEndpoint, checkWebSocket } from './checkEndpoint.ts';
import { checkGuardianPause, checkSafePause } from './checkResponder.ts';
import { ok, type PreflightResult } from './types.ts';

export type PreflightReport = {
  /** In config order: ABIs, then per chain its endpoints, then its contracts' code and responders. */
  results: PreflightResult[];
  errors: number;
  warnings: number;
};

export type RunPreflightParameters = {
  env?: NodeJS.ProcessEnv | undefined;
  /** Per endpoint; default 5 s. */
  timeoutMs?: number | undefined;
};

/**
 * Everything the monitor's start needs proven, without side effects: every ABI read and
 * validated, every threat-intel list read, every endpoint reached (each one that fails named, key redacted) and serving the
 * configured chain, code at each watched address, and each breaker's responder able to pause.
 * `bulwark monitor --check` prints it; the monitor runs it before it announces anything.
 *
 * A dead endpoint is a warning while another endpoint of its chain works (the pool fails over),
 * an error when none does. A responder that cannot pause is an error unless the contract's
 * breaker sets `allowUnpausable`.
 */
export async function runPreflight(
  config: MonitorConfig,
  parameters: RunPreflightParameters = {},
): Promise<PreflightReport> {
  const env = parameters.env ?? process.env;
  const results: PreflightResult[] = [];
  config.contracts.forEach((contract, i) => {
    if (contract.abi) results.push(checkAbi(contract.abi, `/contracts/${i}/abi`));
  });
  // Read as the start reads them, so a broken list fails here and not there.
  (config.threatIntel ?? []).forEach((file, i) => {
    const where = `/threatIntel/${i}`;
    try {
      const labels = loadThreatIntel([file]);
      results.push(ok('threat-intel', where, `${file}: ${labels.size} address(es).`));
    } catch (error) {
      results.push({
        check: 'threat-intel',
        where,
        status: 'error',
        message: (error as { shortMessage?: string }).shortMessage ?? (error as Error).message,
        fix: 'One address a line (optionally a label), or a JSON object { "0x…": "label" }.',
      });
    }
  });
  const perChain = await Promise.all(
    config.chains.map(async (chain, c) => {
      const endpoints = await Promise.all(
        chain.rpc.map((entry, e) =>
          checkEndpoint(entry, { chainId: chain.id, where: `/chains/${c}/rpc/${e}`, timeoutMs: parameters.timeoutMs }),
        ),
      );
      const usable = chain.rpc.filter((_entry, e) => endpoints[e]!.usable);
      const chainResults: PreflightResult[] = endpoints.map((result) =>
        // Failover covers a dead endpoint while another one serves the chain; a wrong chain is always an error.
        result.check === 'endpoint' && result.status === 'error' && usable.length > 0
          ? { ...result, status: 'warning', message: `${result.message} The monitor fails over to the others.` }
          : result,
      );
      const webSockets = await Promise.all(
        chain.rpc.map((entry, e) =>
          typeof entry === 'object' && entry.ws
            ? checkWebSocket(entry.ws, {
                chainId: chain.id,
                where: `/chains/${c}/rpc/${e}/ws`,
                timeoutMs: parameters.timeoutMs,
              })
            : undefined,
        ),
      );
      chainResults.push(...webSockets.filter((result) => result !== undefined));
      if (usable.length === 0) {
        chainResults.push({
          check: 'endpoint',
          where: `/chains/${c}/rpc`,
          status: 'error',
          message: `No RPC endpoint of chain ${chain.id} answers for that chain: its contracts were not checked.`,
          fix: 'Give at least one working endpoint of this chain.',
        });
        return chainResults;
      }
      const pool = createRpcPool({ endpoints: usable as (string | RpcEndpointConfig)[], retryCount: 1 });
      const contracts = config.contracts
        .map((contract, i) => ({ contract, i }))
        .filter(({ contract }) => contract.chain === chain.id);
      const checked = await Promise.all(
        contracts.map(async ({ contract, i }) => {
          const target = { chainId: chain.id, contract: contract.address, name: contract.name };
          const code = await checkCode(pool, {
            ...target,
            address: contract.address,
            where: `/contracts/${i}/address`,
          });
          if (code.status !== 'ok') return [code];
          const responder = await checkResponder(pool, config, i, env);
          return responder ? [code, tolerate(responder, contract.breaker?.allowUnpausable === true)] : [code];
        }),
      );
      return [...chainResults, ...checked.flat()];
    }),
  );
  results.push(...perChain.flat());
  return {
    results,
    errors: results.filter((result) => result.status === 'error').length,
    warnings: results.filter((result) => result.status === 'warning').length,
  };
}

/** The breaker's responder (a guardian key, or a Safe) can pause the contract; undefined without one. */
async function checkResponder(
  pool: RpcPool,
  config: MonitorConfig,
  i: number,
  env: NodeJS.ProcessEnv,
): Promise<PreflightResult | undefined> {
  const contract = config.contracts[i]!;
  const breaker = contract.breaker;
  const where = `/contracts/${i}/breaker`;
  if (
    breaker?.kind === 'guardian' &&
    breaker.guardian &&
    (breaker.guardian.keystore || breaker.guardian.privateKeyEnv)
  ) {
    const key = breaker.guardian;
    let guardian: Address;
    try {
      guardian = (
        await loadGuardianKey(
          key.keystore
            ? { keystorePath: key.keystore, passwordEnv: key.passwordEnv ?? '' }
            : { privateKeyEnv: key.privateKeyEnv ?? '' },
          { env },
        )
      ).address;
    } catch (error) {
      return {
        check: 'responder',
        where: `${where}/guardian`,
        // A dry run may go without the key (the config loader allows it); the pause is not sent then.
        status: config.dryRun ? 'warning' : 'error',
        message: `${contract.name}: the guardian key cannot be loaded: ${(error as { shortMessage?: string }).shortMessage ?? (error as Error).message}`,
        fix: 'Set the variables the breaker names, or fix the keystore path and password.',
      };
    }
    return checkGuardianPause(pool, {
      chainId: contract.chain,
      contract: contract.address,
      name: contract.name,
      where,
      guardian,
    });
  }
  if (breaker?.kind === 'safe' && breaker.safe) {
    let proposer: Address | undefined;
    if (breaker.safe.proposerKeyEnv && env[breaker.safe.proposerKeyEnv]) {
      try {
        proposer = (await loadGuardianKey({ privateKeyEnv: breaker.safe.proposerKeyEnv }, { env })).address;
      } catch (error) {
        return {
          check: 'responder',
          where: `${where}/safe/proposerKeyEnv`,
          status: 'error',
          message: `${contract.name}: the Safe proposer key cannot be loaded: ${(error as { shortMessage?: string }).shortMessage ?? (error as Error).message}`,
          fix: `Set ${breaker.safe.proposerKeyEnv} to an owner's private key.`,
        };
      }
    }
    return checkSafePause(pool, {
      chainId: contract.chain,
      contract: contract.address,
      name: contract.name,
      where,
      safe: breaker.safe.address as Address,
      proposer,
    });
  }
  return undefined;
}

/** A responder that cannot pause, on a contract whose breaker allows it: a warning, said so. */
function tolerate(result: PreflightResult, allowUnpausable: boolean): PreflightResult {
  if (!allowUnpausable || result.status !== 'error') return result;
  return { ...result, status: 'warning', message: `${result.message} (allowed by breaker.allowUnpausable)` };
}

/** The report as text: one line per finding (`ok`, `warning`, `error`), its place, and the fix under it. */
export function formatPreflight(report: PreflightReport, options: { okLines?: boolean } = {}): string {
  const lines: string[] = [];
  for (const result of report.results) {
    if (result.status === 'ok' && !options.okLines) continue;
    lines.push(`${result.status.padEnd(7)} ${result.where}: ${result.message}`);
    if (result.fix && result.status !== 'ok') lines.push(`        fix: ${result.fix}`);
  }
  return lines.join('\n');
}
