import { RiskInputError } from './errors.ts';

export type RiskRating = 'low' | 'medium' | 'high' | 'critical';

/**
 * Score bands of the 5×5 matrix (score = likelihood × impact). Scores that can occur:
 * 1–6, 8, 9, 10, 12, 15, 16, 20, 25.
 */
export const riskRatingBands: readonly { rating: RiskRating; min: number; max: number }[] = [
  { rating: 'low', min: 1, max: 4 },
  { rating: 'medium', min: 5, max: 9 },
  { rating: 'high', min: 10, max: 16 },
  { rating: 'critical', min: 17, max: 25 },
];

export function riskRating(score: number): RiskRating {
  const band = riskRatingBands.find((b) => score >= b.min && score <= b.max);
  if (!band) throw new RiskInputError(`A risk score is 1 to 25 (likelihood × impact), not ${score}.`);
  return band.rating;
}

/** Words accepted for the 1–5 scales, lowest first. */
export const likelihoodScale = ['rare', 'unlikely', 'possible', 'likely', 'almost-certain'] as const;
export const impactScale = ['negligible', 'minor', 'moderate', 'major', 'severe'] as const;

/** A likelihood or impact from the command line: 1–5 or its word (`likely`, `severe`). */
export function parseScale(kind: 'likelihood' | 'impact', text: string): number {
  const scale: readonly string[] = kind === 'likelihood' ? likelihoodScale : impactScale;
  const trimmed = text.trim().toLowerCase();
  const word = scale.indexOf(trimmed);
  if (word >= 0) return word + 1;
  const value = Number(trimmed);
  if (/^\d+$/.test(trimmed) && value >= 1 && value <= 5) return value;
  throw new RiskInputError(`The ${kind} "${text}" is not 1 to 5.`, {
    metaMessages: [`Use 1 to 5, or one of: ${scale.map((w, i) => `${w} (${i + 1})`).join(', ')}.`],
    docsPath: 'governance/risk.md#scoring',
  });
}

/** The 1–5 value, checked (for values that do not come from text). */
export function checkScale(kind: 'likelihood' | 'impact', value: number): number {
  if (Number.isInteger(value) && value >= 1 && value <= 5) return value;
  return parseScale(kind, String(value));
}
