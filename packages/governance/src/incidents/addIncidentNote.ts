import { addIncidentEvent, type IncidentEvent, type LogEntry, type StoreClient } from '@bulwark/store';
import { withLogEntry } from '../log/withLogEntry.ts';
import { IncidentInputError } from './errors.ts';
import type { IncidentNoteField } from './noteFields.ts';
import { resolveIncident } from './resolveIncidentId.ts';

export type AddIncidentNoteParameters = {
  /** The incident's id or a unique prefix. */
  id: string;
  field: IncidentNoteField;
  text: string;
  actor: string;
  at?: Date | undefined;
};

/**
 * Adds a note to an incident's timeline (`summary`, `impact`, `root-cause`, `lessons` fill the
 * post-mortem; the latest of each wins, except lessons, which add up) and logs `incident.note`.
 */
export async function addIncidentNote(
  store: StoreClient,
  parameters: AddIncidentNoteParameters,
): Promise<{ event: IncidentEvent; entry: LogEntry }> {
  const text = parameters.text.trim();
  if (!text)
    throw new IncidentInputError(`The ${parameters.field} note is empty.`, {
      docsPath: 'governance/incident.md#notes',
    });
  const incident = await resolveIncident(store, parameters.id);
  const { result, entry } = await withLogEntry(
    store,
    (tx) =>
      addIncidentEvent(tx, {
        incidentId: incident.id,
        kind: 'note',
        actor: parameters.actor,
        at: parameters.at,
        data: { field: parameters.field, text },
      }),
    () => ({
      actor: parameters.actor,
      action: 'incident.note',
      payload: {
        id: incident.id,
        field: parameters.field,
        text,
        ...(parameters.at ? { at: parameters.at.toISOString() } : {}),
      },
    }),
  );
  return { event: result as IncidentEvent, entry };
}
