import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '@bulwark/core';
import { type Address, getAddress, isAddress } from 'viem';

/*
 * The custody file: per chain, the wallets by tier (hot, warm, cold) and the assets to count;
 * a hot-share ceiling (10% by default, per asset if needed) and a sweep target; the monitor's sink
 * entries for alerts. Kept in a file, not the store: it is configuration, reviewed like code.
 */

export type CustodyTier = 'hot' | 'warm' | 'cold';

export type CustodyAsset = {
  symbol: string;
  /** The ERC-20 contract; absent for the chain's native coin. */
  token: Address | undefined;
  decimals: number;
  /** Highest hot share allowed, 0..1. */
  ceiling: number;
  /** Hot share a sweep brings it back to, 0..ceiling. */
  target: number;
};

export type CustodyWallet = { name: string; address: Address; tier: CustodyTier };

export type CustodyChain = {
  chainId: number;
  name: string;
  /** JSON-RPC URL (from `rpcEnv` when given, so a URL with a key stays out of the file). */
  rpc: string;
  assets: CustodyAsset[];
  wallets: CustodyWallet[];
};

export type CustodyConfig = {
  chains: CustodyChain[];
  /** Monitor sink entries (`{ "type": "webhook", "urlEnv": … }`), built by the monitor's code. */
  sinks: ({ type: string } & Record<string, unknown>)[];
};

export const defaultCeiling = 0.1;

const tiers = new Set(['hot', 'warm', 'cold']);

/** Reads and validates a custody file; every problem is listed with its JSON path. */
export async function loadCustodyConfig(
  file: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<CustodyConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    throw new InputError(`Cannot read the custody file ${file}${code ? ` (${code})` : ''}.`, {
      docsPath: 'wallet/custody.md',
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new InputError(`The custody file ${file} is not JSON: ${(cause as Error).message}.`, {
      docsPath: 'wallet/custody.md',
    });
  }
  return parseCustodyConfig(value, { file, env, baseDir: path.dirname(path.resolve(file)) });
}

export function parseCustodyConfig(
  value: unknown,
  context: { file: string; env: Readonly<Record<string, string | undefined>>; baseDir: string },
): CustodyConfig {
  const problems: string[] = [];
  const problem = (where: string, message: string) => problems.push(`${where}: ${message}`);
  const record = (value && typeof value === 'object' && !Array.isArray(value) ? value : {}) as Record<string, unknown>;
  if (record !== value) problem('/', 'must be an object with `chains`.');
  const share = (raw: unknown, where: string, fallback: number) => {
    if (raw === undefined) return fallback;
    if (typeof raw !== 'number' || !(raw >= 0 && raw <= 1)) {
      problem(where, 'must be a fraction between 0 and 1 (0.1 is 10%).');
      return fallback;
    }
    return raw;
  };
  const ceiling = share(record.ceiling, '/ceiling', defaultCeiling);
  const target = share(record.target, '/target', ceiling / 2);
  const chains: CustodyChain[] = [];
  if (!Array.isArray(record.chains) || record.chains.length === 0) problem('/chains', 'list at least one chain.');
  (Array.isArray(record.chains) ? record.chains : []).forEach((raw: unknown, i) => {
    const where = `/chains/${i}`;
    const chain = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
    const chainId = chain.chainId;
    if (typeof chainId !== 'number' || !Number.isSafeInteger(chainId) || chainId <= 0)
      problem(`${where}/chainId`, 'must be a positive integer.');
    let rpc = typeof chain.rpc === 'string' ? chain.rpc : undefined;
    if (typeof chain.rpcEnv === 'string') {
      rpc = context.env[chain.rpcEnv];
      if (!rpc) problem(`${where}/rpcEnv`, `environment variable ${chain.rpcEnv} is not set.`);
    } else if (!rpc) problem(where, 'give `rpc` (a URL) or `rpcEnv` (the variable that holds it).');
    const assets: CustodyAsset[] = [];
    (Array.isArray(chain.assets) ? chain.assets : []).forEach((rawAsset: unknown, j) => {
      const at = `${where}/assets/${j}`;
      const asset = (rawAsset && typeof rawAsset === 'object' ? rawAsset : {}) as Record<string, unknown>;
      if (typeof asset.symbol !== 'string' || asset.symbol === '') problem(`${at}/symbol`, 'is required.');
      const token = asset.token;
      if (token !== undefined && (typeof token !== 'string' || !isAddress(token, { strict: false })))
        problem(`${at}/token`, 'is not an address (leave it out for the native coin).');
      const decimals = asset.decimals ?? 18;
      if (typeof decimals !== 'number' || !Number.isInteger(decimals) || decimals < 0 || decimals > 36)
        problem(`${at}/decimals`, 'must be an integer 0..36.');
      const assetCeiling = share(asset.ceiling, `${at}/ceiling`, ceiling);
      const assetTarget = share(asset.target, `${at}/target`, Math.min(target, assetCeiling / 2));
      if (assetTarget > assetCeiling) problem(`${at}/target`, 'must not be above the ceiling.');
      assets.push({
        symbol: String(asset.symbol),
        token: typeof token === 'string' && isAddress(token, { strict: false }) ? getAddress(token) : undefined,
        decimals: decimals as number,
        ceiling: assetCeiling,
        target: assetTarget,
      });
    });
    if (assets.length === 0)
      problem(`${where}/assets`, 'list the assets to count (`{"symbol": "ETH"}` for the native coin).');
    const wallets: CustodyWallet[] = [];
    const seen = new Set<string>();
    (Array.isArray(chain.wallets) ? chain.wallets : []).forEach((rawWallet: unknown, j) => {
      const at = `${where}/wallets/${j}`;
      const wallet = (rawWallet && typeof rawWallet === 'object' ? rawWallet : {}) as Record<string, unknown>;
      if (typeof wallet.address !== 'string' || !isAddress(wallet.address, { strict: false })) {
        problem(`${at}/address`, 'is not an address.');
        return;
      }
      if (typeof wallet.tier !== 'string' || !tiers.has(wallet.tier))
        problem(`${at}/tier`, 'must be hot, warm or cold.');
      const address = getAddress(wallet.address);
      if (seen.has(address)) problem(`${at}/address`, `${address} is listed twice.`);
      seen.add(address);
      wallets.push({
        name: typeof wallet.name === 'string' ? wallet.name : address,
        address,
        tier: wallet.tier as CustodyTier,
      });
    });
    if (!wallets.some((w) => w.tier === 'hot')) problem(`${where}/wallets`, 'list at least one hot wallet.');
    chains.push({
      chainId: chainId as number,
      name: typeof chain.name === 'string' ? chain.name : `chain ${String(chainId)}`,
      rpc: rpc ?? '',
      assets,
      wallets,
    });
  });
  const sinks = Array.isArray(record.sinks) ? (record.sinks as CustodyConfig['sinks']) : [];
  if (record.sinks !== undefined && !Array.isArray(record.sinks)) problem('/sinks', 'must be a list of sink entries.');
  sinks.forEach((sink, i) => {
    if (!sink || typeof sink.type !== 'string')
      problem(`/sinks/${i}/type`, 'is required (stdout, jsonl, webhook, slack, …).');
    if (sink?.type === 'jsonl' && typeof sink.path === 'string') sink.path = path.resolve(context.baseDir, sink.path);
    for (const [key, value] of Object.entries(sink ?? {}))
      if (key.endsWith('Env') && typeof value === 'string' && context.env[value] === undefined)
        problem(`/sinks/${i}/${key}`, `environment variable ${value} is not set.`);
  });
  const known = new Set(['ceiling', 'target', 'chains', 'sinks', '$schema']);
  for (const key of Object.keys(record)) if (!known.has(key)) problem(`/${key}`, 'is not a custody setting.');
  if (problems.length > 0)
    throw new InputError(`${context.file} has problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`, {
      docsPath: 'wallet/custody.md',
    });
  return { chains, sinks };
}
