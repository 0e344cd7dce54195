import { closest } from '@bulwark/core';
import { RiskInputError } from './errors.ts';

export type RiskTreatmentKind = 'avoid' | 'mitigate' | 'transfer' | 'accept';
export const riskTreatmentKinds = ['avoid', 'mitigate', 'transfer', 'accept'] as const satisfies RiskTreatmentKind[];

export type RiskTreatment = {
  kind: RiskTreatmentKind;
  /** What will be done, by whom, by when. */
  plan: string | null;
};

export function isRiskTreatmentKind(text: string): text is RiskTreatmentKind {
  return (riskTreatmentKinds as readonly string[]).includes(text);
}

export function checkTreatmentKind(text: string): RiskTreatmentKind {
  const kind = text.trim().toLowerCase();
  if (isRiskTreatmentKind(kind)) return kind;
  const suggestion = closest(kind, [...riskTreatmentKinds]);
  throw new RiskInputError(`The treatment "${text}" is not one of ${riskTreatmentKinds.join(', ')}.`, {
    metaMessages: suggestion ? [`Did you mean ${suggestion}?`] : undefined,
    docsPath: 'governance/risk.md#treatment',
  });
}

/**
 * The store's `treatment` is one text column: the kind, then `: ` and the plan when there is one
 * (`mitigate: timelock on upgrades by Q3`), so any reader of the table sees both.
 */
export function formatTreatment(treatment: RiskTreatment): string {
  const plan = treatment.plan?.trim();
  return plan ? `${treatment.kind}: ${plan}` : treatment.kind;
}

/** Reads the stored text back; text written by other tools keeps its words as the plan. */
export function parseTreatment(text: string): RiskTreatment & { recognised: boolean } {
  const match = /^\s*([a-z]+)\s*(?::\s*([\s\S]*))?$/i.exec(text);
  const kind = match?.[1]?.toLowerCase();
  if (kind && isRiskTreatmentKind(kind)) return { kind, plan: match?.[2]?.trim() || null, recognised: true };
  return { kind: 'mitigate', plan: text.trim() || null, recognised: false };
}
