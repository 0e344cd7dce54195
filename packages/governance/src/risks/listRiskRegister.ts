import { listRisks, type StoreClient } from '@bulwark/store';
import { type ReviewState, today } from './reviewDate.ts';
import { type RiskEntry, toRiskEntry } from './riskEntry.ts';
import type { RiskRating } from './riskRating.ts';

export type ListRiskRegisterParameters = {
  owner?: string | undefined;
  minScore?: number | undefined;
  rating?: RiskRating | undefined;
  review?: ReviewState | undefined;
  control?: string | undefined;
  /** Include risks closed with `risk close` (default: the open register only). */
  includeClosed?: boolean | undefined;
  /** YYYY-MM-DD the review states are judged on (default today). */
  on?: string | undefined;
};

/** The register, highest score first, with ratings and review states. */
export async function listRiskRegister(
  store: StoreClient,
  parameters: ListRiskRegisterParameters = {},
): Promise<RiskEntry[]> {
  const on = parameters.on ?? today();
  const risks = await listRisks(store, { owner: parameters.owner, minScore: parameters.minScore });
  return risks
    .map((risk) => toRiskEntry(risk, on))
    .filter(
      (risk) =>
        (parameters.includeClosed || risk.status === 'open') &&
        (parameters.rating === undefined || risk.rating === parameters.rating) &&
        (parameters.review === undefined || risk.review.state === parameters.review) &&
        (parameters.control === undefined || risk.controls.includes(parameters.control.toUpperCase())),
    );
}
