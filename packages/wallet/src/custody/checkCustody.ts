import { randomUUID } from 'node:crypto';
import { createRpcPool, type RpcPool } from '@bulwark/chain';
import { InputError } from '@bulwark/core';
import { type Alert, buildSinks, createDispatcher, type DispatchSummary } from '@bulwark/monitor';
import { type Address, encodeFunctionData, formatUnits, type Hex, parseAbi } from 'viem';
import type { CustodyAsset, CustodyChain, CustodyConfig, CustodyTier, CustodyWallet } from './config.ts';

/*
 * Hot/cold: every wallet's balance of every asset, read from the chain at one block per chain (a
 * consistent snapshot), summed by tier; the hot share per asset against its ceiling; and, where it
 * is passed, a sweep proposal: the hot→cold transfers that bring the hot share back to the target.
 * Proposals are unsigned transactions for the signers (through the policy and the gate), never sent here.
 */

const erc20Abi = parseAbi([
  'function balanceOf(address) view returns (uint256)',
  'function transfer(address to, uint256 amount) returns (bool)',
]);

export type SweepTransfer = {
  from: Address;
  fromName: string;
  /** Base units, decimal string. */
  amount: string;
  /** The unsigned transaction the hot wallet would sign. */
  transaction: { chainId: number; from: Address; to: Address; value: string; data: Hex };
};

export type SweepProposal = {
  /** Total to move, base units. */
  amount: string;
  to: { name: string; address: Address } | undefined;
  transfers: SweepTransfer[];
  /** Why the proposal is incomplete (no cold wallet on the chain). */
  note: string | undefined;
};

export type AssetCustody = {
  symbol: string;
  token: Address | undefined;
  decimals: number;
  ceiling: number;
  target: number;
  total: string;
  byTier: Record<CustodyTier, string>;
  /** Hot balance ÷ total, 0..1 (0 when nothing is held). */
  hotShare: number;
  overCeiling: boolean;
  wallets: { name: string; address: Address; tier: CustodyTier; balance: string }[];
  sweep: SweepProposal | undefined;
};

export type CustodyReport = {
  at: string;
  chains: { chainId: number; name: string; blockNumber: string; assets: AssetCustody[] }[];
  /** Assets whose hot share is above their ceiling. */
  breaches: number;
};

export type CheckCustodyParameters = {
  config: CustodyConfig;
  /** One pool per chain id; default a pool over the chain's configured `rpc`. */
  pools?: Map<number, RpcPool> | undefined;
  now?: (() => Date) | undefined;
};

const scale = 1_000_000n;

export async function checkCustody(parameters: CheckCustodyParameters): Promise<CustodyReport> {
  const now = parameters.now ?? (() => new Date());
  const chains = await Promise.all(
    parameters.config.chains.map(async (chain) => {
      const pool = parameters.pools?.get(chain.chainId) ?? createRpcPool({ endpoints: [chain.rpc] });
      const served = Number(BigInt(await pool.request<Hex>('eth_chainId')));
      if (served !== chain.chainId)
        throw new InputError(
          `Custody: the RPC endpoint of ${chain.name} serves chain ${served}, not ${chain.chainId}.`,
          {
            docsPath: 'wallet/custody.md',
          },
        );
      const block = await pool.request<Hex>('eth_blockNumber');
      const assets = await Promise.all(chain.assets.map((asset) => assetCustody(pool, chain, asset, block)));
      return { chainId: chain.chainId, name: chain.name, blockNumber: BigInt(block).toString(), assets };
    }),
  );
  return {
    at: now().toISOString(),
    chains,
    breaches: chains.reduce((sum, chain) => sum + chain.assets.filter((a) => a.overCeiling).length, 0),
  };
}

async function balanceOf(pool: RpcPool, asset: CustodyAsset, wallet: CustodyWallet, block: Hex): Promise<bigint> {
  if (!asset.token) return BigInt(await pool.request<Hex>('eth_getBalance', [wallet.address, block]));
  const data = encodeFunctionData({ abi: erc20Abi, functionName: 'balanceOf', args: [wallet.address] });
  const result = await pool.request<Hex>('eth_call', [{ to: asset.token, data }, block]);
  if (!/^0x[0-9a-fA-F]{64}$/.test(result))
    throw new Error(
      `Custody: ${asset.symbol} (${asset.token}) answered balanceOf with ${result.length > 66 ? 'too much data' : `'${result}'`}; is it an ERC-20?`,
    );
  return BigInt(result);
}

async function assetCustody(
  pool: RpcPool,
  chain: CustodyChain,
  asset: CustodyAsset,
  block: Hex,
): Promise<AssetCustody> {
  const balances = await Promise.all(chain.wallets.map((wallet) => balanceOf(pool, asset, wallet, block)));
  const byTier: Record<CustodyTier, bigint> = { hot: 0n, warm: 0n, cold: 0n };
  chain.wallets.forEach((wallet, i) => {
    byTier[wallet.tier] += balances[i]!;
  });
  const total = byTier.hot + byTier.warm + byTier.cold;
  const hotShare = total === 0n ? 0 : Number((byTier.hot * scale) / total) / Number(scale);
  const overCeiling = total > 0n && byTier.hot * scale > BigInt(Math.round(asset.ceiling * Number(scale))) * total;
  return {
    symbol: asset.symbol,
    token: asset.token,
    decimals: asset.decimals,
    ceiling: asset.ceiling,
    target: asset.target,
    total: total.toString(),
    byTier: { hot: byTier.hot.toString(), warm: byTier.warm.toString(), cold: byTier.cold.toString() },
    hotShare,
    overCeiling,
    wallets: chain.wallets.map((wallet, i) => ({ ...wallet, balance: balances[i]!.toString() })),
    sweep: overCeiling ? sweepProposal(chain, asset, balances, byTier.hot, total) : undefined,
  };
}

/** Hot→cold transfers, largest hot wallet first, that bring the hot share down to the asset's target. */
function sweepProposal(
  chain: CustodyChain,
  asset: CustodyAsset,
  balances: bigint[],
  hot: bigint,
  total: bigint,
): SweepProposal {
  const allowed = (total * BigInt(Math.floor(asset.target * Number(scale)))) / scale;
  const amount = hot - allowed;
  const cold = chain.wallets.find((wallet) => wallet.tier === 'cold');
  const sources = chain.wallets
    .map((wallet, i) => ({ wallet, balance: balances[i]! }))
    .filter(({ wallet, balance }) => wallet.tier === 'hot' && balance > 0n)
    .sort((a, b) => (a.balance > b.balance ? -1 : a.balance < b.balance ? 1 : 0));
  const transfers: SweepTransfer[] = [];
  let left = amount;
  for (const { wallet, balance } of sources) {
    if (left <= 0n || !cold) break;
    const take = balance < left ? balance : left;
    left -= take;
    transfers.push({
      from: wallet.address,
      fromName: wallet.name,
      amount: take.toString(),
      transaction: asset.token
        ? {
            chainId: chain.chainId,
            from: wallet.address,
            to: asset.token,
            value: '0',
            data: encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [cold.address, take] }),
          }
        : { chainId: chain.chainId, from: wallet.address, to: cold.address, value: take.toString(), data: '0x' },
    });
  }
  return {
    amount: amount.toString(),
    to: cold && { name: cold.name, address: cold.address },
    transfers,
    note: cold
      ? asset.token
        ? undefined
        : 'Native transfers do not include gas: leave the hot wallets enough for their fees.'
      : `No cold wallet is listed for ${chain.name}; add one to get transfers.`,
  };
}

/** One alert per asset over its ceiling, in the monitor's alert shape (its sinks deliver it). */
export function custodyAlerts(report: CustodyReport): Alert[] {
  return report.chains.flatMap((chain) =>
    chain.assets
      .filter((asset) => asset.overCeiling)
      .map((asset): Alert => {
        const percent = (share: number) => `${(share * 100).toFixed(1)}%`;
        const amount = (value: string) => `${formatUnits(BigInt(value), asset.decimals)} ${asset.symbol}`;
        return {
          id: randomUUID(),
          ruleId: 'hot-wallet-ceiling',
          title: `Hot wallets hold ${percent(asset.hotShare)} of ${asset.symbol} on ${chain.name} (ceiling ${percent(asset.ceiling)})`,
          severity: 'high',
          chainId: chain.chainId,
          contract: asset.token ?? '0x0000000000000000000000000000000000000000',
          blockNumber: chain.blockNumber,
          at: report.at,
          summary: `${amount(asset.byTier.hot)} of ${amount(asset.total)} is in hot wallets. ${
            asset.sweep?.to
              ? `Sweep ${amount(asset.sweep.amount)} to ${asset.sweep.to.name} to get back to ${percent(asset.target)}.`
              : (asset.sweep?.note ?? '')
          }`,
          details: {
            asset: asset.symbol,
            token: asset.token ?? null,
            byTier: asset.byTier,
            hotShare: asset.hotShare,
            ceiling: asset.ceiling,
            target: asset.target,
            sweep: asset.sweep,
          },
          dedupeKey: `hot-wallet-ceiling:${chain.chainId}:${asset.token ?? 'native'}`,
        };
      }),
  );
}

/** Sends `custodyAlerts(report)` through the sinks of the custody file (the monitor's sink code). */
export async function sendCustodyAlerts(
  report: CustodyReport,
  config: CustodyConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<DispatchSummary[]> {
  const alerts = custodyAlerts(report);
  if (alerts.length === 0 || config.sinks.length === 0) return [];
  const dispatcher = createDispatcher({ sinks: buildSinks({ sinks: config.sinks }, env), backoffMs: 200 });
  return Promise.all(alerts.map((alert) => dispatcher.dispatch(alert)));
}
