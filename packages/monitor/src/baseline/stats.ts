import type { RunningStats } from './types.ts';

export const emptyStats = (): RunningStats => ({ n: 0, mean: 0, m2: 0, max: 0 });

/** Adds a sample (Welford's online update). */
export function addSample(stats: RunningStats, value: number): void {
  stats.n++;
  const delta = value - stats.mean;
  stats.mean += delta / stats.n;
  stats.m2 += delta * (value - stats.mean);
  if (value > stats.max) stats.max = value;
}

export function standardDeviation(stats: RunningStats): number {
  return stats.n > 1 ? Math.sqrt(stats.m2 / (stats.n - 1)) : 0;
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
