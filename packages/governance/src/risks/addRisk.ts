import { insertRisk, type LogEntry, listRisks, type StoreClient } from '@bulwark/store';
import { withLogEntry } from '../log/withLogEntry.ts';
import { checkControlIds } from './checkControlIds.ts';
import { RiskInputError } from './errors.ts';
import { parseReviewDate } from './reviewDate.ts';
import { type RiskEntry, toRiskEntry } from './riskEntry.ts';
import { checkScale } from './riskRating.ts';
import { checkTreatmentKind, formatTreatment, type RiskTreatmentKind } from './treatment.ts';

export type AddRiskParameters = {
  /** Default: the next `R-<n>`. */
  id?: string | undefined;
  threat: string;
  asset: string;
  likelihood: number;
  impact: number;
  owner: string;
  treatment: RiskTreatmentKind | string;
  plan?: string | undefined;
  /** YYYY-MM-DD: when the risk is next reviewed. */
  reviewDate?: string | undefined;
  /** Advisory control ids that treat the risk. */
  controls?: readonly string[] | undefined;
  actor: string;
};

export type AddRiskReturnType = { risk: RiskEntry; entry: LogEntry };

/** Adds a risk to the register and logs `risk.add` with it, in one transaction. */
export async function addRisk(store: StoreClient, parameters: AddRiskParameters): Promise<AddRiskReturnType> {
  for (const field of ['threat', 'asset', 'owner'] as const)
    if (!parameters[field]?.trim())
      throw new RiskInputError(`A risk needs a ${field}.`, {
        metaMessages: [`Pass --${field} "…".`],
        docsPath: 'governance/risk.md#fields',
      });
  const fields = {
    threat: parameters.threat.trim(),
    asset: parameters.asset.trim(),
    likelihood: checkScale('likelihood', parameters.likelihood),
    impact: checkScale('impact', parameters.impact),
    owner: parameters.owner.trim(),
    treatment: formatTreatment({ kind: checkTreatmentKind(parameters.treatment), plan: parameters.plan ?? null }),
    reviewDate: parameters.reviewDate === undefined ? null : parseReviewDate(parameters.reviewDate),
    controls: checkControlIds(parameters.controls ?? []),
  };
  // A generated id can collide with a concurrent add: try the next one.
  for (let attempt = 0; ; attempt++) {
    const id = parameters.id ?? (await nextRiskId(store));
    try {
      const { result, entry } = await withLogEntry(
        store,
        (tx) => insertRisk(tx, { id, ...fields }),
        (risk) => ({
          actor: parameters.actor,
          action: 'risk.add',
          payload: { id: risk.id, ...fields, score: risk.score },
        }),
      );
      return { risk: toRiskEntry(result), entry };
    } catch (error) {
      const taken = await listRisks(store).then(
        (risks) => risks.some((r) => r.id === id),
        () => false,
      );
      if (!taken) throw error;
      if (parameters.id !== undefined || attempt >= 5)
        throw new RiskInputError(`A risk with id ${id} is already in the register.`, {
          metaMessages: ['Choose another --id, or leave it out for the next free one.'],
          docsPath: 'governance/risk.md#fields',
        });
    }
  }
}

async function nextRiskId(store: StoreClient): Promise<string> {
  let max = 0;
  for (const risk of await listRisks(store)) {
    const n = /^R-(\d+)$/.exec(risk.id);
    if (n) max = Math.max(max, Number(n[1]));
  }
  return `R-${max + 1}`;
}
