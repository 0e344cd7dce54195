import { parseGwei } from 'viem';

/** How a transaction bids: EIP-1559 (tip over the base fee) or a legacy gas price (base fee + tip). */
export type FeeBid = { type: 'eip1559' | 'legacy'; priorityFee: bigint };

type Random = { next(): number };

const gwei = (value: number) => parseGwei(value.toFixed(9));
const logUniform = (random: Random, low: number, high: number) => low * (high / low) ** random.next();

/**
 * A benign user's tip, heavy-tailed as on Ethereum mainnet: most near the base (0.5–2 gwei),
 * some in a hurry (2–10 gwei), a tail that pays 20–50 gwei. One in seven wallets still sends a
 * legacy gas price.
 */
export function sampleBenignFee(random: Random): FeeBid {
  const roll = random.next();
  const tipGwei =
    roll < 0.8 ? logUniform(random, 0.5, 2) : roll < 0.95 ? logUniform(random, 2, 10) : 20 + 30 * random.next();
  return { type: random.next() < 1 / 7 ? 'legacy' : 'eip1559', priorityFee: gwei(tipGwei) };
}

/** An attacker's tip: `multiple` (10–30) times the typical benign tip, to be first in the block. */
export function attackerFee(typical: bigint, multiple: number, type: FeeBid['type'] = 'eip1559'): FeeBid {
  if (multiple < 1) throw new RangeError(`attackerFee: multiple ${multiple} is below 1.`);
  return { type, priorityFee: (typical * BigInt(Math.round(multiple * 100))) / 100n };
}

/** The value at percentile `p` (0–100) of `values`, nearest rank; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** The median of bigint fees (nearest rank), or `fallback` when there are none. */
export function medianFee(fees: readonly bigint[], fallback: bigint): bigint {
  if (fees.length === 0) return fallback;
  const sorted = [...fees].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return sorted[Math.ceil(sorted.length / 2) - 1]!;
}
