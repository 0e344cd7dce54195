import { formatGwei, parseGwei } from 'viem';
import { ResponderConfigError } from './errors.ts';

export type PauseFeeOptions = {
  /** Priority fee = this × the node's `eth_maxPriorityFeePerGas`; default 2. */
  priorityFeeMultiplier?: number | undefined;
  /** Floor of the priority fee; default 2 gwei. */
  minPriorityFeePerGas?: bigint | undefined;
  /** Max fee = this × the latest base fee + the priority fee; default 2 (six full blocks of growth). */
  baseFeeMultiplier?: number | undefined;
  /** Raise of both fees on each re-send, in percent; default and minimum 12.5 (the replacement rule). */
  bumpPercent?: number | undefined;
  /** Ceiling of the max fee; default none. At the ceiling the responder stops bumping and waits. */
  maxFeePerGasCap?: bigint | undefined;
};

export type Fees = { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint };

export type ResolvedFeeOptions = {
  priorityFeeMultiplier: number;
  minPriorityFeePerGas: bigint;
  baseFeeMultiplier: number;
  bumpPercent: number;
  maxFeePerGasCap: bigint | undefined;
};

/** Nodes refuse a replacement that does not raise both fees by 10% (geth) or 12.5% (others); use the larger. */
export const minBumpPercent = 12.5;

export function resolveFeeOptions(options: PauseFeeOptions = {}): ResolvedFeeOptions {
  const resolved = {
    priorityFeeMultiplier: options.priorityFeeMultiplier ?? 2,
    minPriorityFeePerGas: options.minPriorityFeePerGas ?? parseGwei('2'),
    baseFeeMultiplier: options.baseFeeMultiplier ?? 2,
    bumpPercent: options.bumpPercent ?? minBumpPercent,
    maxFeePerGasCap: options.maxFeePerGasCap,
  };
  const check = (ok: boolean, message: string) => {
    if (!ok)
      throw new ResponderConfigError(`Pause responder fees: ${message}`, { docsPath: 'monitor/responder.md#fees' });
  };
  check(
    Number.isFinite(resolved.priorityFeeMultiplier) && resolved.priorityFeeMultiplier >= 1,
    `priorityFeeMultiplier must be at least 1 (got ${resolved.priorityFeeMultiplier}); a pause must outbid.`,
  );
  check(
    Number.isFinite(resolved.baseFeeMultiplier) && resolved.baseFeeMultiplier >= 1,
    `baseFeeMultiplier must be at least 1 (got ${resolved.baseFeeMultiplier}).`,
  );
  check(
    Number.isFinite(resolved.bumpPercent) && resolved.bumpPercent >= minBumpPercent && resolved.bumpPercent <= 1000,
    `bumpPercent must be between ${minBumpPercent} and 1000 (got ${resolved.bumpPercent}); nodes drop smaller replacements.`,
  );
  check(resolved.minPriorityFeePerGas >= 0n, 'minPriorityFeePerGas must not be negative.');
  check(
    resolved.maxFeePerGasCap === undefined || resolved.maxFeePerGasCap >= resolved.minPriorityFeePerGas,
    `maxFeePerGasCap (${resolved.maxFeePerGasCap === undefined ? '' : formatGwei(resolved.maxFeePerGasCap)} gwei) is below minPriorityFeePerGas.`,
  );
  return resolved;
}

/** `value × ratio`, rounded up; the ratio to four decimals. */
function times(value: bigint, ratio: number): bigint {
  const scaled = BigInt(Math.round(ratio * 10_000));
  return (value * scaled + 9_999n) / 10_000n;
}

/**
 * The fees of a first send: a priority fee well above the node's suggestion (and at least the
 * floor), and a max fee that survives the base fee growing for a few blocks.
 */
export function pauseFees(
  parameters: { baseFeePerGas: bigint; suggestedPriorityFeePerGas: bigint },
  options: ResolvedFeeOptions,
): Fees {
  let maxPriorityFeePerGas = times(parameters.suggestedPriorityFeePerGas, options.priorityFeeMultiplier);
  if (maxPriorityFeePerGas < options.minPriorityFeePerGas) maxPriorityFeePerGas = options.minPriorityFeePerGas;
  let maxFeePerGas = times(parameters.baseFeePerGas, options.baseFeeMultiplier) + maxPriorityFeePerGas;
  if (options.maxFeePerGasCap !== undefined && maxFeePerGas > options.maxFeePerGasCap) {
    maxFeePerGas = options.maxFeePerGasCap;
    if (maxPriorityFeePerGas > maxFeePerGas) maxPriorityFeePerGas = maxFeePerGas;
  }
  return { maxFeePerGas, maxPriorityFeePerGas };
}

/**
 * The fees of a re-send of the same nonce: both at least `bumpPercent` above the previous ones
 * (else the node drops the replacement), and no lower than what a first send would pay now.
 * `undefined` when the cap leaves no room for a valid replacement.
 */
export function bumpFees(previous: Fees, current: Fees, options: ResolvedFeeOptions): Fees | undefined {
  const ratio = 1 + options.bumpPercent / 100;
  const max = (a: bigint, b: bigint) => (a > b ? a : b);
  const maxPriorityFeePerGas = max(times(previous.maxPriorityFeePerGas, ratio), current.maxPriorityFeePerGas);
  // What a first send would allow for the base fee now, on top of the (possibly higher) bumped tip.
  const baseFeeRoom = current.maxFeePerGas - current.maxPriorityFeePerGas;
  let maxFeePerGas = max(times(previous.maxFeePerGas, ratio), baseFeeRoom + maxPriorityFeePerGas);
  if (options.maxFeePerGasCap !== undefined && maxFeePerGas > options.maxFeePerGasCap) {
    maxFeePerGas = options.maxFeePerGasCap;
    if (maxFeePerGas < times(previous.maxFeePerGas, ratio) || maxPriorityFeePerGas > maxFeePerGas) return undefined;
  }
  return { maxFeePerGas, maxPriorityFeePerGas };
}
