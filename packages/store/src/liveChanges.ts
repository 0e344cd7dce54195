import { type Alert, getAlert } from './alerts.ts';
import { getIncident, type Incident } from './incidents.ts';
import type { StoreClient } from './store.ts';
import { getWalletRequest, type WalletRequestRecord } from './wallet.ts';

/**
 * One thing that changed, for live updates: an alert raised or retracted, an incident that moved
 * (its state or its timeline), a wallet request submitted, approved or closed. `at` is when.
 */
export type LiveChange =
  | { kind: 'alert'; at: Date; alert: Alert }
  | { kind: 'alert-retracted'; at: Date; alert: Alert }
  | { kind: 'incident'; at: Date; incident: Incident }
  | { kind: 'wallet-request'; at: Date; request: WalletRequestRecord };

export type ListChangesSinceParameters = {
  /** Changes at or after this time. */
  since: Date;
  /** Most changes read of each kind (the oldest first); default 500. */
  limit?: number | undefined;
};

/**
 * What changed at or after `since`, oldest first. Cheap when little changed: one query per table
 * for the ids, then each changed row. A writer's clock and commit order may differ by a little:
 * callers ask again from somewhat before their last answer and drop what they have seen (by
 * `liveChangeKey`).
 */
export async function listChangesSince(
  store: StoreClient,
  parameters: ListChangesSinceParameters,
): Promise<LiveChange[]> {
  const { since } = parameters;
  const limit = parameters.limit ?? 500;
  const changes: LiveChange[] = [];
  const raised = await store.db
    .selectFrom('alerts')
    .select(['id', 'created_at'])
    .where('created_at', '>=', since)
    .orderBy('created_at')
    .limit(limit)
    .execute();
  const retracted = await store.db
    .selectFrom('alerts')
    .select(['id', 'retracted_at'])
    .where('retracted_at', '>=', since)
    .orderBy('retracted_at')
    .limit(limit)
    .execute();
  for (const row of raised) {
    const alert = await getAlert(store, row.id);
    if (alert) changes.push({ kind: 'alert', at: row.created_at, alert });
  }
  for (const row of retracted) {
    const alert = await getAlert(store, row.id);
    if (alert && row.retracted_at) changes.push({ kind: 'alert-retracted', at: row.retracted_at, alert });
  }
  const incidents = await store.db
    .selectFrom('incidents')
    .select('id')
    .where('updated_at', '>=', since)
    .orderBy('updated_at')
    .limit(limit)
    .execute();
  for (const row of incidents) {
    const incident = await getIncident(store, row.id);
    if (incident) changes.push({ kind: 'incident', at: incident.updatedAt, incident });
  }
  // A request changes when submitted, when closed and with each approval (the row has no updated_at).
  const requests = await store.db
    .selectFrom('wallet_requests as r')
    .leftJoin('wallet_request_approvals as a', 'a.request_id', 'r.id')
    .select(['r.id'])
    .select((eb) => eb.fn.max('a.approved_at').as('approved_at'))
    .where((eb) =>
      eb.or([eb('r.created_at', '>=', since), eb('r.closed_at', '>=', since), eb('a.approved_at', '>=', since)]),
    )
    .groupBy('r.id')
    .limit(limit)
    .execute();
  for (const row of requests) {
    const request = await getWalletRequest(store, row.id);
    if (!request) continue;
    const times = [request.createdAt, request.closedAt, row.approved_at ? new Date(row.approved_at) : null];
    const at = new Date(Math.max(...times.flatMap((time) => (time ? [time.getTime()] : []))));
    changes.push({ kind: 'wallet-request', at, request });
  }
  return changes.sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** Names one change once: the same alert raised, or the same incident at the same update, has the same key. */
export function liveChangeKey(change: LiveChange): string {
  switch (change.kind) {
    case 'alert':
    case 'alert-retracted':
      return `${change.kind}:${change.alert.id}`;
    case 'incident':
      return `incident:${change.incident.id}:${change.at.getTime()}`;
    case 'wallet-request':
      return `wallet-request:${change.request.id}:${change.request.state}:${change.at.getTime()}`;
  }
}
