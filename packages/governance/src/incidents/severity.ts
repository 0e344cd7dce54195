import { closest } from '@bulwark/core';
import { IncidentInputError } from './errors.ts';

/** The monitor's alert severities, highest first; incidents use the same words. */
export const incidentSeverities = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type IncidentSeverity = (typeof incidentSeverities)[number];

export function checkSeverity(text: string): IncidentSeverity {
  const severity = text.trim().toLowerCase();
  if ((incidentSeverities as readonly string[]).includes(severity)) return severity as IncidentSeverity;
  const suggestion = closest(severity, [...incidentSeverities]);
  throw new IncidentInputError(`The severity "${text}" is not one of ${incidentSeverities.join(', ')}.`, {
    metaMessages: suggestion ? [`Did you mean ${suggestion}?`] : undefined,
    docsPath: 'governance/incident.md#severity',
  });
}
