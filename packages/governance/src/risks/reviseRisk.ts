import { type LogEntry, type StoreClient, updateRisk } from '@bulwark/store';
import { withLogEntry } from '../log/withLogEntry.ts';
import { checkControlIds } from './checkControlIds.ts';
import { RiskInputError } from './errors.ts';
import { getRiskEntry } from './getRiskEntry.ts';
import { addDays, parseReviewDate, today } from './reviewDate.ts';
import { type RiskEntry, toRiskEntry } from './riskEntry.ts';
import { checkScale } from './riskRating.ts';
import { checkTreatmentKind, formatTreatment, type RiskTreatmentKind } from './treatment.ts';

/** Days to the next review when a risk is marked reviewed without a date. */
export const defaultReviewIntervalDays = 90;

export type ReviseRiskParameters = {
  id: string;
  threat?: string | undefined;
  asset?: string | undefined;
  likelihood?: number | undefined;
  impact?: number | undefined;
  owner?: string | undefined;
  treatment?: RiskTreatmentKind | string | undefined;
  /** The treatment plan; `''` clears it. */
  plan?: string | undefined;
  /** YYYY-MM-DD of the next review; `null` clears it. */
  reviewDate?: string | null | undefined;
  /** Replaces the linked controls. */
  controls?: readonly string[] | undefined;
  addControls?: readonly string[] | undefined;
  removeControls?: readonly string[] | undefined;
  /**
   * The owner reviewed the risk: logged as `risk.review`; the next review date defaults to
   * `defaultReviewIntervalDays` from today.
   */
  reviewed?: boolean | undefined;
  actor: string;
  /** Now, for review states and the default next review date (the log records the real time). */
  at?: Date | undefined;
};

export type ReviseRiskReturnType = {
  risk: RiskEntry;
  /** Field → [before, after], for the fields that changed. */
  changes: Record<string, [unknown, unknown]>;
  entry: LogEntry;
};

/** Changes a risk of the register (or records its review) and logs what changed, in one transaction. */
export async function reviseRisk(store: StoreClient, parameters: ReviseRiskParameters): Promise<ReviseRiskReturnType> {
  const now = parameters.at ?? new Date();
  const current = await getRiskEntry(store, parameters.id, today(now));
  const next = {
    threat: parameters.threat?.trim() ?? current.threat,
    asset: parameters.asset?.trim() ?? current.asset,
    likelihood:
      parameters.likelihood === undefined ? current.likelihood : checkScale('likelihood', parameters.likelihood),
    impact: parameters.impact === undefined ? current.impact : checkScale('impact', parameters.impact),
    owner: parameters.owner?.trim() ?? current.owner,
    treatment: formatTreatment({
      kind: parameters.treatment === undefined ? current.treatment.kind : checkTreatmentKind(parameters.treatment),
      plan: parameters.plan === undefined ? current.treatment.plan : parameters.plan,
    }),
    reviewDate:
      parameters.reviewDate === null
        ? null
        : parameters.reviewDate !== undefined
          ? parseReviewDate(parameters.reviewDate, now)
          : parameters.reviewed
            ? addDays(today(now), defaultReviewIntervalDays)
            : current.reviewDate,
    controls: linkedControls(current.controls, parameters),
  };
  for (const field of ['threat', 'asset', 'owner'] as const)
    if (!next[field])
      throw new RiskInputError(`A risk's ${field} cannot be empty.`, { docsPath: 'governance/risk.md#fields' });

  const before: Record<string, unknown> = {
    threat: current.threat,
    asset: current.asset,
    likelihood: current.likelihood,
    impact: current.impact,
    owner: current.owner,
    treatment: formatTreatment(current.treatment),
    reviewDate: current.reviewDate,
    controls: current.controls,
  };
  const changes: Record<string, [unknown, unknown]> = {};
  for (const [field, value] of Object.entries(next))
    if (JSON.stringify(before[field]) !== JSON.stringify(value)) changes[field] = [before[field], value];
  if (Object.keys(changes).length === 0 && !parameters.reviewed)
    throw new RiskInputError(`Nothing to change on risk ${current.id}: every value given is already its value.`, {
      metaMessages: ['Pass the fields to change (see `bulwark risk update --help`), or --reviewed to record a review.'],
      docsPath: 'governance/risk.md#reviews',
    });

  const { result, entry } = await withLogEntry(
    store,
    (tx) =>
      updateRisk(
        tx,
        current.id,
        Object.fromEntries(Object.entries(next).filter(([field]) => field in changes)) as Partial<typeof next>,
      ),
    (risk) => ({
      actor: parameters.actor,
      action: parameters.reviewed ? 'risk.review' : 'risk.update',
      payload: {
        id: risk.id,
        changes: Object.fromEntries(Object.entries(changes).map(([field, [from, to]]) => [field, { from, to }])),
        score: risk.score,
      },
    }),
  );
  return { risk: toRiskEntry(result, today(now)), changes, entry };
}

function linkedControls(current: readonly string[], parameters: ReviseRiskParameters): string[] {
  let controls = parameters.controls === undefined ? [...current] : checkControlIds(parameters.controls);
  if (parameters.addControls) controls = [...new Set([...controls, ...checkControlIds(parameters.addControls)])];
  if (parameters.removeControls) {
    const removed = new Set(parameters.removeControls.map((id) => id.trim().toUpperCase()));
    controls = controls.filter((id) => !removed.has(id));
  }
  return controls;
}
