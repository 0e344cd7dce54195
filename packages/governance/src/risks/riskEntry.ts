import type { Risk } from '@bulwark/store';
import { type ReviewState, reviewState, today } from './reviewDate.ts';
import { type RiskRating, riskRating } from './riskRating.ts';
import { parseTreatment, type RiskTreatment } from './treatment.ts';

/** A risk as the register shows it: the stored row with its rating, treatment plan and review state. */
export type RiskEntry = Omit<Risk, 'treatment'> & {
  rating: RiskRating;
  treatment: RiskTreatment;
  review: { state: ReviewState; date: string | null };
};

export function toRiskEntry(risk: Risk, on: string = today()): RiskEntry {
  const { recognised: _, ...treatment } = parseTreatment(risk.treatment);
  return {
    ...risk,
    rating: riskRating(risk.score),
    treatment,
    review: { state: reviewState(risk.reviewDate, on), date: risk.reviewDate },
  };
}
