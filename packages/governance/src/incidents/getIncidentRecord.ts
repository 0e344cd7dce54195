import {
  type Alert,
  getIncidentTimeline,
  type Incident,
  type IncidentEvent,
  listAlerts,
  listResponderActions,
  type StoreClient,
} from '@bulwark/store';
import { type IncidentNoteField, incidentNoteFields } from './noteFields.ts';
import { resolveIncident } from './resolveIncidentId.ts';

/** A containment action: the monitor's responder actions and those recorded by hand. */
export type IncidentAction = {
  id: string;
  at: Date;
  updatedAt: Date;
  /** `monitor` for the responder's own, `manual` for `bulwark incident action`. */
  source: 'monitor' | 'manual';
  kind: string;
  status: string;
  dryRun: boolean;
  txHash: string | null;
  description: string | null;
  actor: string | null;
};

export type IncidentNote = { at: Date; actor: string; field: IncidentNoteField; text: string };

/** Everything recorded about one incident. */
export type IncidentRecord = {
  incident: Incident;
  timeline: IncidentEvent[];
  actions: IncidentAction[];
  alerts: Alert[];
  notes: IncidentNote[];
};

export async function getIncidentRecord(store: StoreClient, idOrPrefix: string): Promise<IncidentRecord> {
  const incident = await resolveIncident(store, idOrPrefix);
  const [timeline, responderActions, alerts] = await Promise.all([
    getIncidentTimeline(store, incident.id),
    listResponderActions(store, { incidentId: incident.id }),
    listAlerts(store, { incidentId: incident.id }),
  ]);
  // The actor of a responder action is on the timeline event that recorded it.
  const actorOf = new Map<string, string>();
  for (const event of timeline)
    if (
      event.kind === 'responder-action' &&
      typeof event.data.actionId === 'string' &&
      !actorOf.has(event.data.actionId)
    )
      actorOf.set(event.data.actionId, event.actor);

  const actions: IncidentAction[] = [
    ...responderActions.map((a) => ({
      id: a.id,
      at: a.createdAt,
      updatedAt: a.updatedAt,
      source: a.data.manual === true ? ('manual' as const) : ('monitor' as const),
      kind: a.kind,
      status: a.status,
      dryRun: a.dryRun,
      txHash: a.txHash,
      description: typeof a.data.description === 'string' ? a.data.description : null,
      actor: actorOf.get(a.id) ?? null,
    })),
    ...timeline
      .filter((e) => e.kind === 'manual-action')
      .map((e) => ({
        id: `event:${e.id}`,
        at: e.at,
        updatedAt: e.at,
        source: 'manual' as const,
        kind: 'other',
        status: String(e.data.status ?? 'done'),
        dryRun: false,
        txHash: typeof e.data.txHash === 'string' ? e.data.txHash : null,
        description: typeof e.data.description === 'string' ? e.data.description : null,
        actor: e.actor,
      })),
  ].sort((a, b) => a.at.getTime() - b.at.getTime());

  const notes: IncidentNote[] = timeline.flatMap((e) => {
    if (e.kind === 'note' && typeof e.data.text === 'string') {
      const field = (incidentNoteFields as readonly string[]).includes(String(e.data.field))
        ? (e.data.field as IncidentNoteField)
        : 'note';
      return [{ at: e.at, actor: e.actor, field, text: e.data.text }];
    }
    if (e.kind === 'transition' && typeof e.data.note === 'string')
      return [{ at: e.at, actor: e.actor, field: 'note' as const, text: e.data.note }];
    return [];
  });

  return {
    incident,
    timeline,
    actions,
    alerts: [...alerts].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()),
    notes,
  };
}
