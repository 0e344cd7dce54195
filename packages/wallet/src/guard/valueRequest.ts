import path from 'node:path';
import type { CompiledPolicy } from '../policy/compilePolicy.ts';
import { httpPriceSource, type PriceSource, staticPriceTable, usdValue } from '../policy/prices.ts';
import type { WalletRequest } from '../request/request.ts';

/** The price source a policy names (`prices.table` relative to `baseDir`), or none. */
export function priceSourceFor(compiled: CompiledPolicy, baseDir: string): PriceSource | undefined {
  const prices = compiled.policy.prices;
  if (prices?.table) return staticPriceTable(path.resolve(baseDir, prices.table));
  if (prices?.http) return httpPriceSource(prices.http);
  return undefined;
}

/** The request's value in micro-dollars, when the policy uses USD and a price is known. */
export async function valueRequest(
  compiled: CompiledPolicy,
  prices: PriceSource | undefined,
  request: WalletRequest,
): Promise<bigint | undefined> {
  if (!compiled.needsUsd || !prices) return undefined;
  const price = await prices.usdPrice(request.chain, request.asset);
  return price && usdValue(request.amount, price);
}
