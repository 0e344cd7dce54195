import { type Incident, type LogEntry, openIncident, type StoreClient } from '@bulwark/store';
import { withLogEntry } from '../log/withLogEntry.ts';
import { IncidentInputError } from './errors.ts';
import { checkSeverity } from './severity.ts';

export type RecordIncidentParameters = {
  title: string;
  severity: string;
  chainId?: number | undefined;
  address?: string | undefined;
  /** When the attack or fault began, when known (for time to detect). */
  startedAt?: Date | undefined;
  /** Default: now. */
  detectedAt?: Date | undefined;
  /** Alerts (from the monitor) that make up the incident. */
  alertIds?: readonly string[] | undefined;
  /** What was seen, in the reporter's words; goes on the timeline. */
  description?: string | undefined;
  actor: string;
};

/** Opens an incident by hand (state `detected`) and logs `incident.open`, in one transaction. */
export async function recordIncident(
  store: StoreClient,
  parameters: RecordIncidentParameters,
): Promise<{ incident: Incident; entry: LogEntry }> {
  const title = parameters.title.trim();
  if (!title)
    throw new IncidentInputError('An incident needs a title.', {
      metaMessages: ['Pass --title "what happened".'],
      docsPath: 'governance/incident.md#open',
    });
  const severity = checkSeverity(parameters.severity);
  if (parameters.startedAt && parameters.detectedAt && parameters.startedAt > parameters.detectedAt)
    throw new IncidentInputError('An incident cannot start after it was detected.', {
      metaMessages: [
        `Started ${parameters.startedAt.toISOString()}, detected ${parameters.detectedAt.toISOString()}: check --started-at.`,
      ],
      docsPath: 'governance/incident.md#open',
    });
  const { result, entry } = await withLogEntry(
    store,
    (tx) =>
      openIncident(tx, {
        title,
        severity,
        chainId: parameters.chainId,
        address: parameters.address,
        startedAt: parameters.startedAt,
        detectedAt: parameters.detectedAt,
        alertIds: parameters.alertIds,
        actor: parameters.actor,
        data: { manual: true, ...(parameters.description ? { description: parameters.description } : {}) },
      }),
    (incident) => ({
      actor: parameters.actor,
      action: 'incident.open',
      payload: {
        id: incident.id,
        detectedAt: incident.detectedAt.toISOString(),
        ...(incident.startedAt ? { startedAt: incident.startedAt.toISOString() } : {}),
        title,
        severity,
        chainId: incident.chainId,
        address: incident.address,
        alertIds: [...(parameters.alertIds ?? [])],
      },
    }),
  );
  return { incident: result, entry };
}
