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
  /** Ceiling of what one pause may cost, gas limit × max fee, in wei; default none. */
  maxPauseCostWei?: bigint | undefined;
  /** How far above every competitor the pause bids, in percent of the competitor's fee; default 10. */
  outbidMarginPercent?: number | undefined;
};

export type Fees = { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint };

export type ResolvedFeeOptions = {
  priorityFeeMultiplier: number;
  minPriorityFeePerGas: bigint;
  baseFeeMultiplier: number;
  bumpPercent: number;
  maxFeePerGasCap: bigint | undefined;
  maxPauseCostWei: bigint | undefined;
  outbidMarginPercent: number;
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
    maxPauseCostWei: options.maxPauseCostWei,
    outbidMarginPercent: options.outbidMarginPercent ?? 10,
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
  check(
    Number.isFinite(resolved.outbidMarginPercent) &&
      resolved.outbidMarginPercent >= 0 &&
      resolved.outbidMarginPercent <= 1000,
    `outbidMarginPercent must be between 0 and 1000 (got ${resolved.outbidMarginPercent}).`,
  );
  check(
    resolved.maxPauseCostWei === undefined || resolved.maxPauseCostWei > 0n,
    'maxPauseCostWei must be above 0; leave it out for no ceiling.',
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

/**
 * A pending transaction the pause must be mined before: the trigger of the decision, or one seen
 * in the txpool going to (or coming from the sender of) a protected contract. A legacy transaction
 * has `gasPrice` only, which counts as both its max fee and its tip.
 */
export type CompetitorFees = {
  hash?: string | undefined;
  maxFeePerGas?: bigint | undefined;
  maxPriorityFeePerGas?: bigint | undefined;
  gasPrice?: bigint | undefined;
};

/** Why a pause pays less than it takes to outbid: the per-chain max fee cap, or the cost cap of one pause. */
export type FeeLimit = 'maxFeePerGasCap' | 'maxPauseCost';

export type OutbidFees = Fees & {
  /** Whether these fees beat every competitor under both orderings (by max fee, and by effective tip). */
  outbid: boolean;
  /** Set when a cap stopped the fees below what outbidding takes. */
  limitedBy: FeeLimit | undefined;
  /** What outbidding every competitor would take, caps aside. */
  needed: Fees;
  /** The competitor that set the price, when one did. */
  highest: string | undefined;
};

/** A competitor's max fee and effective tip at `baseFeePerGas`; undefined when it gives neither. */
function competitorBid(competitor: CompetitorFees, baseFeePerGas: bigint) {
  const maxFee = competitor.maxFeePerGas ?? competitor.gasPrice;
  const tip = competitor.maxPriorityFeePerGas ?? competitor.gasPrice;
  if (maxFee === undefined || tip === undefined) return undefined;
  const room = maxFee - baseFeePerGas;
  const effectiveTip = room < tip ? room : tip;
  return { maxFee, effectiveTip: effectiveTip > 0n ? effectiveTip : 0n };
}

/** Strictly above `value × (1 + margin%)`. */
function above(value: bigint, marginPercent: number): bigint {
  const raised = times(value, 1 + marginPercent / 100);
  return raised > value ? raised : value + 1n;
}

/** The highest max fee a pause of `gas` may pay: the per-chain cap and the cost cap, whichever is lower. */
export function feeCeiling(options: ResolvedFeeOptions, gas: bigint): { ceiling: bigint; by: FeeLimit } | undefined {
  const byCost = options.maxPauseCostWei === undefined || gas <= 0n ? undefined : options.maxPauseCostWei / gas;
  const cap = options.maxFeePerGasCap;
  if (cap === undefined && byCost === undefined) return undefined;
  if (byCost === undefined || (cap !== undefined && cap <= byCost)) return { ceiling: cap!, by: 'maxFeePerGasCap' };
  return { ceiling: byCost, by: 'maxPauseCost' };
}

/**
 * The emergency fees of a pause: at least what `pauseFees` would pay, and above every competitor
 * by `outbidMarginPercent` under both orderings nodes use: the tip above each competitor's
 * effective tip `min(maxPriorityFee, maxFee − baseFee)` (geth, reth), the max fee above each
 * competitor's max fee (anvil, and pools that sort by max fee). Then bounded by the caps (`gas`
 * gives the cost cap); a capped result says so in `outbid` and `limitedBy`, never silently.
 */
export function outbidFees(
  parameters: {
    baseFeePerGas: bigint;
    suggestedPriorityFeePerGas: bigint;
    competitors: readonly CompetitorFees[];
    gas: bigint;
  },
  options: ResolvedFeeOptions,
): OutbidFees {
  const { baseFeePerGas } = parameters;
  const floor = pauseFees(parameters, { ...options, maxFeePerGasCap: undefined });
  let tip = floor.maxPriorityFeePerGas;
  let maxFee = 0n;
  let highest: string | undefined;
  let highestTip = -1n;
  for (const competitor of parameters.competitors) {
    const bid = competitorBid(competitor, baseFeePerGas);
    if (!bid) continue;
    const needTip = above(bid.effectiveTip, options.outbidMarginPercent);
    if (needTip > tip) tip = needTip;
    const needMaxFee = above(bid.maxFee, options.outbidMarginPercent);
    if (needMaxFee > maxFee) maxFee = needMaxFee;
    if (bid.effectiveTip > highestTip) {
      highestTip = bid.effectiveTip;
      highest = competitor.hash;
    }
  }
  // Room for the base fee to grow (as a first send has) on top of the winning tip.
  const withRoom = times(baseFeePerGas, options.baseFeeMultiplier) + tip;
  if (withRoom > maxFee) maxFee = withRoom;
  const needed = { maxFeePerGas: maxFee, maxPriorityFeePerGas: tip };
  const limit = feeCeiling(options, parameters.gas);
  if (limit && maxFee > limit.ceiling) {
    const capped = limit.ceiling;
    return {
      maxFeePerGas: capped,
      maxPriorityFeePerGas: tip > capped ? capped : tip,
      outbid: false,
      limitedBy: limit.by,
      needed,
      highest,
    };
  }
  return { ...needed, outbid: true, limitedBy: undefined, needed, highest };
}

/** Whether `fees` lose to `needed` under either ordering: a reason to replace the transaction. */
export function outbidBy(fees: Fees, needed: Fees): boolean {
  return needed.maxPriorityFeePerGas > fees.maxPriorityFeePerGas || needed.maxFeePerGas > fees.maxFeePerGas;
}
