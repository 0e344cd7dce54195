import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { InvalidTransitionError, NotFoundError } from './errors.ts';
import { toJson } from './json.ts';
import { chainIdFromRow, chainKey, normalizeOptionalHex } from './normalize.ts';
import type { IncidentEventsTable, IncidentState, IncidentsTable } from './schema.ts';
import { type StoreClient, withTransaction } from './store.ts';

export type { IncidentState } from './schema.ts';

export const incidentStates = [
  'detected',
  'triaged',
  'contained',
  'resolved',
  'closed',
] as const satisfies readonly IncidentState[];

/**
 * Where an incident may go from each state. Containment may come before triage (an automatic
 * pause); a false positive is closed from detected or triaged; nothing leaves closed.
 */
export const incidentTransitions: Readonly<Record<IncidentState, readonly IncidentState[]>> = {
  detected: ['triaged', 'contained', 'closed'],
  triaged: ['contained', 'resolved', 'closed'],
  contained: ['resolved'],
  resolved: ['closed'],
  closed: [],
};

export type Incident = {
  id: string;
  title: string;
  severity: string;
  state: IncidentState;
  chainId: number | null;
  address: string | null;
  /** When the attack or fault began (first malicious transaction), when known. */
  startedAt: Date | null;
  detectedAt: Date;
  triagedAt: Date | null;
  containedAt: Date | null;
  resolvedAt: Date | null;
  closedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  /** detectedAt − startedAt; null when the start is unknown. */
  timeToDetectMs: number | null;
  /** triagedAt − detectedAt. */
  timeToTriageMs: number | null;
  /** containedAt − detectedAt. */
  timeToContainMs: number | null;
  /** resolvedAt − detectedAt. */
  timeToResolveMs: number | null;
};

export type IncidentEvent<TData = Record<string, unknown>> = {
  id: bigint;
  incidentId: string;
  at: Date;
  kind: string;
  actor: string;
  data: TData;
};

const since = (from: Date | null, to: Date | null): number | null =>
  from && to ? to.getTime() - from.getTime() : null;

export function fromRow(row: Selectable<IncidentsTable>): Incident {
  return {
    id: row.id,
    title: row.title,
    severity: row.severity,
    state: row.state,
    chainId: chainIdFromRow(row.chain_id),
    address: row.address,
    startedAt: row.started_at,
    detectedAt: row.detected_at,
    triagedAt: row.triaged_at,
    containedAt: row.contained_at,
    resolvedAt: row.resolved_at,
    closedAt: row.closed_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    timeToDetectMs: since(row.started_at, row.detected_at),
    timeToTriageMs: since(row.detected_at, row.triaged_at),
    timeToContainMs: since(row.detected_at, row.contained_at),
    timeToResolveMs: since(row.detected_at, row.resolved_at),
  };
}

function eventFromRow<TData>(row: Selectable<IncidentEventsTable>): IncidentEvent<TData> {
  return {
    id: row.id,
    incidentId: row.incident_id,
    at: row.at,
    kind: row.kind,
    actor: row.actor,
    data: row.data as TData,
  };
}

export type OpenIncidentParameters = {
  id?: string | undefined;
  title: string;
  severity: string;
  chainId?: number | null | undefined;
  address?: string | null | undefined;
  startedAt?: Date | null | undefined;
  detectedAt?: Date | undefined;
  /** Who opened it: a rule id, `monitor`, or a person. */
  actor: string;
  /** Alerts that make up the incident; they are linked to it. */
  alertIds?: readonly string[] | undefined;
  data?: Record<string, unknown> | undefined;
};

/** Opens an incident in state `detected`, links its alerts and starts its timeline, in one transaction. */
export async function openIncident(store: StoreClient, parameters: OpenIncidentParameters): Promise<Incident> {
  const detectedAt = parameters.detectedAt ?? new Date();
  const id = parameters.id ?? randomUUID();
  const alertIds = [...(parameters.alertIds ?? [])];
  return withTransaction(store, async (tx) => {
    const row = await tx.db
      .insertInto('incidents')
      .values({
        id,
        title: parameters.title,
        severity: parameters.severity,
        chain_id: parameters.chainId == null ? null : chainKey(parameters.chainId),
        address: normalizeOptionalHex(parameters.address, 'address'),
        started_at: parameters.startedAt ?? null,
        detected_at: detectedAt,
        triaged_at: null,
        contained_at: null,
        resolved_at: null,
        closed_at: null,
        created_at: detectedAt,
        updated_at: detectedAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    if (alertIds.length > 0) {
      const linked = await tx.db
        .updateTable('alerts')
        .set({ incident_id: id })
        .where('id', 'in', alertIds)
        .returning('id')
        .execute();
      if (linked.length !== new Set(alertIds).size) {
        const found = new Set(linked.map((r) => r.id));
        throw new NotFoundError(`No alert with id ${alertIds.filter((a) => !found.has(a)).join(', ')}.`, {
          docsPath: 'store.md#incidents',
        });
      }
    }
    await insertEvent(tx, {
      incidentId: id,
      kind: 'opened',
      actor: parameters.actor,
      at: detectedAt,
      data: { ...parameters.data, severity: parameters.severity, alertIds },
    });
    return fromRow(row);
  });
}

const stateColumn = {
  triaged: 'triaged_at',
  contained: 'contained_at',
  resolved: 'resolved_at',
  closed: 'closed_at',
} as const;

export type TransitionIncidentParameters = {
  id: string;
  to: IncidentState;
  actor: string;
  at?: Date | undefined;
  note?: string | undefined;
};

/**
 * Moves an incident along the state machine (`incidentTransitions`), stamps the time of the new
 * state and records the move on the timeline. The row is locked while it is checked, so two
 * responders cannot both move it from the same state.
 */
export async function transitionIncident(
  store: StoreClient,
  parameters: TransitionIncidentParameters,
): Promise<Incident> {
  const at = parameters.at ?? new Date();
  return withTransaction(store, async (tx) => {
    const current = await tx.db
      .selectFrom('incidents')
      .selectAll()
      .where('id', '=', parameters.id)
      .forUpdate()
      .executeTakeFirst();
    if (!current) throw new NotFoundError(`No incident with id ${parameters.id}.`, { docsPath: 'store.md#incidents' });
    const allowed = incidentTransitions[current.state];
    if (!allowed.includes(parameters.to))
      throw new InvalidTransitionError(
        `Incident ${parameters.id} cannot go from ${current.state} to ${parameters.to}.`,
        {
          metaMessages: [
            allowed.length > 0
              ? `From ${current.state} it can go to: ${allowed.join(', ')}.`
              : `${current.state} is final; open a new incident instead.`,
          ],
          docsPath: 'store.md#incidents',
        },
      );
    if (at < current.detected_at)
      throw new InvalidTransitionError(
        `Incident ${parameters.id} cannot be ${parameters.to} at ${at.toISOString()}, before it was detected (${current.detected_at.toISOString()}).`,
        { docsPath: 'store.md#incidents' },
      );
    const column = stateColumn[parameters.to as keyof typeof stateColumn];
    const row = await tx.db
      .updateTable('incidents')
      .set({ state: parameters.to, updated_at: at, ...(column && current[column] === null ? { [column]: at } : {}) })
      .where('id', '=', parameters.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await insertEvent(tx, {
      incidentId: parameters.id,
      kind: 'transition',
      actor: parameters.actor,
      at,
      data: { from: current.state, to: parameters.to, ...(parameters.note ? { note: parameters.note } : {}) },
    });
    return fromRow(row);
  });
}

export type AddIncidentEventParameters<TData> = {
  incidentId: string;
  /** What happened: `note`, `alert`, `responder-action`… (`opened` and `transition` are written by this module). */
  kind: string;
  actor: string;
  at?: Date | undefined;
  data?: TData | undefined;
};

/** Adds an entry to an incident's timeline. */
export async function addIncidentEvent<TData extends Record<string, unknown>>(
  store: StoreClient,
  parameters: AddIncidentEventParameters<TData>,
): Promise<IncidentEvent<TData>> {
  return withTransaction(store, async (tx) => {
    const exists = await tx.db
      .selectFrom('incidents')
      .select('id')
      .where('id', '=', parameters.incidentId)
      .executeTakeFirst();
    if (!exists)
      throw new NotFoundError(`No incident with id ${parameters.incidentId}.`, { docsPath: 'store.md#incidents' });
    await tx.db
      .updateTable('incidents')
      .set({ updated_at: new Date() })
      .where('id', '=', parameters.incidentId)
      .execute();
    return insertEvent(tx, parameters) as Promise<IncidentEvent<TData>>;
  });
}

async function insertEvent(
  store: StoreClient,
  parameters: AddIncidentEventParameters<Record<string, unknown>>,
): Promise<IncidentEvent> {
  const row = await store.db
    .insertInto('incident_events')
    .values({
      incident_id: parameters.incidentId,
      kind: parameters.kind,
      actor: parameters.actor,
      at: parameters.at ?? new Date(),
      data: toJson(parameters.data ?? {}),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return eventFromRow(row);
}

export async function getIncident(store: StoreClient, id: string): Promise<Incident | undefined> {
  const row = await store.db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
  return row && fromRow(row);
}

/** An incident's timeline, oldest first. */
export async function getIncidentTimeline(store: StoreClient, incidentId: string): Promise<IncidentEvent[]> {
  const rows = await store.db
    .selectFrom('incident_events')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .orderBy('at')
    .orderBy('id')
    .execute();
  return rows.map((row) => eventFromRow(row));
}

/** The timeline events of many incidents at once (of one kind, when given), oldest first: one query, not one per incident. */
export async function listIncidentEvents(
  store: StoreClient,
  parameters: { incidentIds: readonly string[]; kind?: string | undefined },
): Promise<IncidentEvent[]> {
  if (parameters.incidentIds.length === 0) return [];
  let query = store.db
    .selectFrom('incident_events')
    .selectAll()
    .where('incident_id', 'in', [...parameters.incidentIds]);
  if (parameters.kind !== undefined) query = query.where('kind', '=', parameters.kind);
  const rows = await query.orderBy('at').orderBy('id').execute();
  return rows.map((row) => eventFromRow(row));
}

export type ListIncidentsParameters = {
  state?: IncidentState | readonly IncidentState[] | undefined;
  severity?: string | readonly string[] | undefined;
  chainId?: number | undefined;
  address?: string | undefined;
  detectedAfter?: Date | undefined;
  detectedBefore?: Date | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
};

/** Incidents, most recently detected first. */
export async function listIncidents(store: StoreClient, filter: ListIncidentsParameters = {}): Promise<Incident[]> {
  let query = store.db.selectFrom('incidents').selectAll();
  if (filter.state !== undefined)
    query = query.where('state', 'in', typeof filter.state === 'string' ? [filter.state] : [...filter.state]);
  if (filter.severity !== undefined)
    query = query.where(
      'severity',
      'in',
      typeof filter.severity === 'string' ? [filter.severity] : [...filter.severity],
    );
  if (filter.chainId !== undefined) query = query.where('chain_id', '=', chainKey(filter.chainId));
  if (filter.address !== undefined) query = query.where('address', '=', filter.address.toLowerCase());
  if (filter.detectedAfter) query = query.where('detected_at', '>=', filter.detectedAfter);
  if (filter.detectedBefore) query = query.where('detected_at', '<', filter.detectedBefore);
  query = query.orderBy('detected_at', 'desc').orderBy('id');
  if (filter.limit !== undefined) query = query.limit(filter.limit);
  if (filter.offset !== undefined) query = query.offset(filter.offset);
  const rows = await query.execute();
  return rows.map(fromRow);
}

/** Links more alerts to an incident and notes it on the timeline. */
export async function linkAlertsToIncident(
  store: StoreClient,
  parameters: { incidentId: string; alertIds: readonly string[]; actor: string; at?: Date | undefined },
): Promise<void> {
  if (parameters.alertIds.length === 0) return;
  await withTransaction(store, async (tx) => {
    await addIncidentEvent(tx, {
      incidentId: parameters.incidentId,
      kind: 'alerts-linked',
      actor: parameters.actor,
      at: parameters.at,
      data: { alertIds: [...parameters.alertIds] },
    });
    const linked = await tx.db
      .updateTable('alerts')
      .set({ incident_id: parameters.incidentId })
      .where('id', 'in', [...parameters.alertIds])
      .returning('id')
      .execute();
    if (linked.length !== new Set(parameters.alertIds).size)
      throw new NotFoundError('Some of the alerts to link do not exist.', { docsPath: 'store.md#incidents' });
  });
}
