import { closest } from '@bulwark/core';
import {
  addIncidentEvent,
  type Incident,
  type IncidentState,
  incidentStates,
  type LogEntry,
  type StoreClient,
  transitionIncident,
} from '@bulwark/store';
import { withLogEntry } from '../log/withLogEntry.ts';
import { IncidentInputError } from './errors.ts';
import type { IncidentNoteField } from './noteFields.ts';
import { resolveIncident } from './resolveIncidentId.ts';

export function checkIncidentState(text: string): IncidentState {
  const state = text.trim().toLowerCase();
  if ((incidentStates as readonly string[]).includes(state)) return state as IncidentState;
  const suggestion = closest(state, [...incidentStates]);
  throw new IncidentInputError(`"${text}" is not an incident state.`, {
    metaMessages: [suggestion ? `Did you mean ${suggestion}?` : `The states are ${incidentStates.join(' → ')}.`],
    docsPath: 'governance/incident.md#states',
  });
}

export type MoveIncidentParameters = {
  /** The incident's id or a unique prefix. */
  id: string;
  to: IncidentState;
  /** Why, on the transition itself. */
  note?: string | undefined;
  /** Post-mortem fields given with the move (`root-cause` when resolving, `lessons` when closing). */
  notes?: Partial<Record<Exclude<IncidentNoteField, 'note'>, string>> | undefined;
  actor: string;
  at?: Date | undefined;
};

/**
 * Moves an incident along the store's state machine and logs `incident.move`, in one
 * transaction. A move the machine refuses is the store's `InvalidTransitionError`, which lists
 * the moves allowed from the current state; nothing is written then.
 */
export async function moveIncident(
  store: StoreClient,
  parameters: MoveIncidentParameters,
): Promise<{ incident: Incident; from: IncidentState; entry: LogEntry }> {
  const current = await resolveIncident(store, parameters.id);
  // The store checks a move against detection only; a step must also not precede the one before it.
  const stamps = [current.detectedAt, current.triagedAt, current.containedAt, current.resolvedAt, current.closedAt];
  const latest = stamps.reduce<Date>((max, d) => (d && d > max ? d : max), current.detectedAt);
  const at = parameters.at ?? new Date();
  if (at < latest)
    throw new IncidentInputError(
      `Incident ${current.id} cannot be ${parameters.to} at ${at.toISOString()}: it was already ${current.state} at ${latest.toISOString()}.`,
      {
        metaMessages: ['Give an --at after its last step, or leave --at out for now.'],
        docsPath: 'governance/incident.md#states',
      },
    );
  const notes = Object.entries(parameters.notes ?? {}).filter(([, text]) => text?.trim()) as [string, string][];
  const { result, entry } = await withLogEntry(
    store,
    async (tx) => {
      const moved = await transitionIncident(tx, {
        id: current.id,
        to: parameters.to,
        actor: parameters.actor,
        at,
        note: parameters.note?.trim() || undefined,
      });
      for (const [field, text] of notes)
        await addIncidentEvent(tx, {
          incidentId: current.id,
          kind: 'note',
          actor: parameters.actor,
          at,
          data: { field, text: text.trim() },
        });
      return moved;
    },
    (moved) => ({
      actor: parameters.actor,
      action: 'incident.move',
      payload: {
        id: moved.id,
        from: current.state,
        to: moved.state,
        at: moved.updatedAt.toISOString(),
        ...(parameters.note?.trim() ? { note: parameters.note.trim() } : {}),
        ...(notes.length > 0 ? { notes: Object.fromEntries(notes.map(([f, t]) => [f, t.trim()])) } : {}),
      },
    }),
  );
  return { incident: result, from: current.state, entry };
}
