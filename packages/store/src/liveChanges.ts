import { type Alert, fromRow as alertFromRow } from './alerts.ts';
import { type Incident, fromRow as incidentFromRow } from './incidents.ts';
import type { StoreClient } from './store.ts';
import { requestFromRow, type WalletRequestRecord } from './wallet.ts';

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
 * What changed at or after `since`, oldest first. Cheap when little changed: one query per kind,
 * on indexes of the times asked (migration 0010), whole rows at once (never a query per row). A writer's clock and commit order may differ by a little:
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
    .selectAll()
    .where('created_at', '>=', since)
    .orderBy('created_at')
    .limit(limit)
    .execute();
  const retracted = await store.db
    .selectFrom('alerts')
    .selectAll()
    .where('retracted_at', '>=', since)
    .orderBy('retracted_at')
    .limit(limit)
    .execute();
  for (const row of raised) changes.push({ kind: 'alert', at: row.created_at, alert: alertFromRow(row) });
  for (const row of retracted)
    if (row.retracted_at) changes.push({ kind: 'alert-retracted', at: row.retracted_at, alert: alertFromRow(row) });
  const incidents = await store.db
    .selectFrom('incidents')
    .selectAll()
    .where('updated_at', '>=', since)
    .orderBy('updated_at')
    .limit(limit)
    .execute();
  for (const row of incidents) {
    const incident = incidentFromRow(row);
    changes.push({ kind: 'incident', at: incident.updatedAt, incident });
  }
  // A request changes when submitted, when closed and with each approval (the row has no updated_at).
  const requests = await store.db
    .selectFrom('wallet_requests as r')
    .leftJoin('wallet_request_approvals as a', 'a.request_id', 'r.id')
    .selectAll('r')
    .select((eb) => eb.fn.max('a.approved_at').as('approved_at'))
    .where((eb) =>
      eb.or([eb('r.created_at', '>=', since), eb('r.closed_at', '>=', since), eb('a.approved_at', '>=', since)]),
    )
    .groupBy('r.id')
    .limit(limit)
    .execute();
  for (const { approved_at, ...row } of requests) {
    const request = requestFromRow(row);
    const times = [request.createdAt, request.closedAt, approved_at ? new Date(approved_at) : null];
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
