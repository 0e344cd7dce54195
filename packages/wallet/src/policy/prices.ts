import { readFileSync } from 'node:fs';
import { BaseError } from '@bulwark/core';

export class PriceSourceError extends BaseError {
  override name = 'PriceSourceError' as const;
}

/** A USD price: dollars per whole token (decimal string), and the token's decimals. */
export type Price = { usd: string; decimals: number };

/** Where USD prices come from. `undefined`: no price for that asset (usd conditions then fail safe). */
export type PriceSource = {
  usdPrice(chain: number, asset: string): Promise<Price | undefined>;
};

/** Micro-dollars (1e-6 USD) per unit: USD amounts are kept as integers so sums are exact. */
export const microUsdPerUsd = 1_000_000n;

/** "1234.5" → 1234500000n micro-dollars; at most six decimals. */
export function parseUsd(text: string): bigint {
  const match = /^(0|[1-9][0-9]*)(?:\.([0-9]{1,6}))?$/.exec(text);
  if (!match)
    throw new PriceSourceError(`'${text}' is not a USD amount.`, {
      details: 'Write dollars with up to six decimals, e.g. "3012.25".',
      docsPath: 'wallet/policy.md#prices',
    });
  return BigInt(match[1]!) * microUsdPerUsd + BigInt((match[2] ?? '').padEnd(6, '0'));
}

export function formatUsd(micro: bigint): string {
  const whole = micro / microUsdPerUsd;
  const fraction = (micro % microUsdPerUsd).toString().padStart(6, '0').replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : `${whole}`;
}

/** The USD value of `amount` smallest units at `price`, in micro-dollars, rounded down. */
export function usdValue(amount: bigint, price: Price): bigint {
  return (amount * parseUsd(price.usd)) / 10n ** BigInt(price.decimals);
}

const checkPrice = (value: unknown, where: string): Price => {
  const price = value as Partial<Price> | null;
  if (
    !price ||
    typeof price.usd !== 'string' ||
    !Number.isInteger(price.decimals) ||
    (price.decimals as number) < 0 ||
    (price.decimals as number) > 36
  )
    throw new PriceSourceError(`${where}: a price is { "usd": "3000.5", "decimals": 18 }.`, {
      docsPath: 'wallet/policy.md#prices',
    });
  parseUsd(price.usd);
  return { usd: price.usd, decimals: price.decimals as number };
};

/**
 * A static price table: `{ "prices": [{ "chain": 1, "asset": "native", "usd": "3000", "decimals": 18 }] }`.
 * Read once; a table is a deliberate, reviewed number, not a feed.
 */
export function staticPriceTable(file: string): PriceSource {
  let entries: unknown;
  try {
    entries = (JSON.parse(readFileSync(file, 'utf8')) as { prices?: unknown }).prices;
  } catch (error) {
    throw new PriceSourceError(`Cannot read the price table ${file}.`, {
      cause: error,
      docsPath: 'wallet/policy.md#prices',
    });
  }
  if (!Array.isArray(entries))
    throw new PriceSourceError(`${file} has no "prices" list.`, { docsPath: 'wallet/policy.md#prices' });
  const prices = new Map<string, Price>();
  entries.forEach((entry: { chain?: unknown; asset?: unknown }, i) => {
    const where = `${file}: /prices/${i}`;
    if (!Number.isInteger(entry?.chain) || typeof entry.asset !== 'string')
      throw new PriceSourceError(`${where}: give "chain" (an integer) and "asset" (native or a 0x address).`, {
        docsPath: 'wallet/policy.md#prices',
      });
    prices.set(`${entry.chain}:${entry.asset.toLowerCase()}`, checkPrice(entry, where));
  });
  return { usdPrice: async (chain, asset) => prices.get(`${chain}:${asset.toLowerCase()}`) };
}

/**
 * Prices from an HTTP endpoint: GET `{url}?chain=ID&asset=ASSET` answers `{ "usd": "…", "decimals": N }`,
 * or 404 when it has no price. Any other failure is an error (the request is not decided on a guess).
 */
export function httpPriceSource(url: string, options: { timeoutMs?: number } = {}): PriceSource {
  return {
    async usdPrice(chain, asset) {
      const target = new URL(url);
      target.searchParams.set('chain', String(chain));
      target.searchParams.set('asset', asset);
      let response: Response;
      try {
        response = await fetch(target, { signal: AbortSignal.timeout(options.timeoutMs ?? 5000) });
      } catch (error) {
        throw new PriceSourceError(`The price source ${target.origin} did not answer.`, {
          cause: error,
          retryable: true,
          docsPath: 'wallet/policy.md#prices',
        });
      }
      if (response.status === 404) return undefined;
      if (!response.ok)
        throw new PriceSourceError(`The price source ${target.origin} answered ${response.status}.`, {
          retryable: response.status >= 500,
          docsPath: 'wallet/policy.md#prices',
        });
      return checkPrice(await response.json().catch(() => null), `the price source ${target.origin}`);
    },
  };
}
