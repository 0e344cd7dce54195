import { weightOf } from './stats.ts';
import type { ContractProfile, RunningStats, WindowMaxima } from './types.ts';
import { windowIds } from './types.ts';

/** How learned behaviour fades. */
export type DecayOptions = {
  /** Time after which an old sample or maximum counts half, in seconds. `Infinity`: nothing decays. */
  halfLifeSeconds: number;
  /**
   * The longest gap between two learned transactions that ages the profile, in seconds. A contract
   * silent for weeks is judged on what it did before, not on a profile emptied by the silence.
   */
  maxGapSeconds: number;
};

/** 30 days, and at most a day of silence counted. */
export const defaultDecay: DecayOptions = { halfLifeSeconds: 30 * 86_400, maxGapSeconds: 86_400 };

/**
 * Ages a profile to `time` (unix seconds) before a transaction of that time is learned: the
 * weights of the running statistics and every learned maximum (outflow, calls, failures, price
 * moves) shrink by 2^(−elapsed / half-life), so an old spike stops setting the bar once newer
 * behaviour has been learned. Counters (transactions, calls, callers, admin events) are kept: they
 * say what was ever seen, and the rules' sample minimums read them.
 */
export function decayProfile(profile: ContractProfile, time: number, options: DecayOptions = defaultDecay): void {
  const last = profile.decayedAt;
  profile.decayedAt = last === undefined ? time : Math.max(last, time);
  if (last === undefined || !Number.isFinite(options.halfLifeSeconds)) return;
  const elapsed = Math.min(Math.max(0, time - last), options.maxGapSeconds);
  if (elapsed === 0) return;
  const factor = 2 ** (-elapsed / options.halfLifeSeconds);
  for (const stats of [profile.gas, profile.logsPerTx, profile.mintPerTx]) decayStats(stats, factor);
  decayMaxima(profile.failedWindowMax, factor);
  decayMaxima(profile.senderOutflowTxsWindowMax, factor);
  for (const selector of Object.values(profile.selectors)) decayMaxima(selector.windowMax, factor);
  for (const asset of Object.values(profile.assets)) {
    decayStats(asset.outflowPerTx, factor);
    decayStats(asset.inflowPerTx, factor);
    decayMaxima(asset.outflowWindowMax, factor);
  }
  if (profile.price) profile.price.maxTxMove *= factor;
}

function decayStats(stats: RunningStats, factor: number): void {
  if (stats.n === 0) return;
  stats.weight = weightOf(stats) * factor;
  stats.m2 *= factor;
  stats.max *= factor;
}

function decayMaxima(maxima: WindowMaxima, factor: number): void {
  for (const id of windowIds) maxima[id] *= factor;
}
