import type { WindowId } from '../baseline/types.ts';

/*
 * Number helpers the threshold rules share: how a score grows past a threshold, when a rising
 * total is reported again, and how amounts read in alerts.
 */

export const round = (value: number) => Math.round(value * 1000) / 1000;

/** An amount for a message: exponent notation from a million smallest units up. */
export const short = (value: number) => (value >= 1e6 ? value.toExponential(2) : String(round(value)));

/** `low` just past the threshold, rising with log(ratio) to `high` at `saturation` times the threshold. */
export function scaledScore(ratio: number, low: number, high: number, saturation: number): number {
  return round(low + (high - low) * Math.min(1, Math.log(ratio) / Math.log(saturation)));
}

/**
 * -1 at or below the threshold, 0 above it, 1 above twice it, 2 above four times it … A rule fires
 * when a transaction moves a total up a level, so a drain in progress is not reported every time.
 */
export const level = (value: number, threshold: number) =>
  value > threshold ? Math.ceil(Math.log2(value / threshold)) - 1 : -1;

/** Dust: at or below `minimum` smallest units, or `share` of the highest balance known. */
export const floorOf = (peak: string | undefined, minimum: number, share: number) =>
  Math.max(minimum, peak === undefined ? 0 : share * Number(peak));

export const windowNames: Record<WindowId, string> = {
  '1b': 'one block',
  '5m': '5 minutes',
  '1h': 'an hour',
  '24h': 'a day',
};
