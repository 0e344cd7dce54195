import type { ContractProfile } from './types.ts';

/**
 * How much a profile must have learned before its deviations may pause the contract. Until then
 * the contract is warming up: every rule still alerts, but a pause needs unequivocal exploitation
 * (see `engine/decide.ts`), since a young baseline's maxima are crossed by ordinary traffic.
 */
export type WarmUpOptions = {
  /** Transactions learned. Default 200. */
  txs: number;
  /** Blocks seen (backfill and live). Default 100. */
  blocks: number;
};

export const defaultWarmUp: WarmUpOptions = { txs: 200, blocks: 100 };

export type WarmUpState = {
  /** True while the profile has learned less than either minimum. */
  warmingUp: boolean;
  txs: number;
  blocks: number;
  needTxs: number;
  needBlocks: number;
};

export function warmUpState(profile: ContractProfile, options: WarmUpOptions = defaultWarmUp): WarmUpState {
  return {
    warmingUp: profile.txs < options.txs || profile.blocks < options.blocks,
    txs: profile.txs,
    blocks: profile.blocks,
    needTxs: options.txs,
    needBlocks: options.blocks,
  };
}

/** One line for people: what the state means for pauses. */
export function describeWarmUp(state: WarmUpState): string {
  const progress = `${state.txs} of ${state.needTxs} transactions, ${state.blocks} of ${state.needBlocks} blocks learned`;
  return state.warmingUp
    ? `warming up (${progress}): alerts, but pauses only on unequivocal exploitation (re-entry or a takeover, with outflow)`
    : `mature (${progress}): deviations from the baseline may pause`;
}
