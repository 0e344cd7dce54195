import type { RunningStats } from './types.ts';

export const emptyStats = (): RunningStats => ({ n: 0, mean: 0, m2: 0, max: 0 });

/** Total weight of the samples: their count until old ones decay. */
export const weightOf = (stats: RunningStats): number => stats.weight ?? stats.n;

/** Adds a sample of weight 1 (Welford's online update, weighted once old samples have decayed). */
export function addSample(stats: RunningStats, value: number): void {
  const weight = weightOf(stats) + 1;
  stats.n++;
  if (stats.weight !== undefined) stats.weight = weight;
  const delta = value - stats.mean;
  stats.mean += delta / weight;
  stats.m2 += delta * (value - stats.mean);
  if (value > stats.max) stats.max = value;
}

export function standardDeviation(stats: RunningStats): number {
  const weight = weightOf(stats);
  return weight > 1 ? Math.sqrt(stats.m2 / (weight - 1)) : 0;
}

/**
 * How far `value` lies above what the series has shown: the larger of its distance from the mean
 * in standard deviations and its ratio to the largest sample. Rules compare it with a threshold.
 */
export function deviation(stats: RunningStats, value: number): { sigmas: number; ofMax: number } {
  const sd = standardDeviation(stats);
  return {
    sigmas: sd > 0 ? (value - stats.mean) / sd : value > stats.mean ? Number.POSITIVE_INFINITY : 0,
    ofMax: stats.max > 0 ? value / stats.max : value > 0 ? Number.POSITIVE_INFINITY : 0,
  };
}
