import { sql } from 'kysely';
import type { StoreClient } from './store.ts';

export type StoreCounts = {
  /** Alerts stored, by status (`active`, `retracted`). */
  alerts: Record<string, number>;
  /** Incidents not yet resolved or closed. */
  openIncidents: number;
  /** Wallet requests waiting for approvals. */
  pendingWalletRequests: number;
};

/** A few counts cheap enough to read on every metrics scrape (one aggregate query per table). */
export async function countStoreFacts(store: StoreClient): Promise<StoreCounts> {
  const alertRows = await store.db
    .selectFrom('alerts')
    .select(['status', sql<string>`count(*)`.as('count')])
    .groupBy('status')
    .execute();
  const incidents = await store.db
    .selectFrom('incidents')
    .select(sql<string>`count(*)`.as('count'))
    .where('state', 'not in', ['resolved', 'closed'])
    .executeTakeFirstOrThrow();
  const pending = await store.db
    .selectFrom('wallet_requests')
    .select(sql<string>`count(*)`.as('count'))
    .where('state', '=', 'pending')
    .executeTakeFirstOrThrow();
  return {
    alerts: Object.fromEntries(alertRows.map((row) => [row.status, Number(row.count)])),
    openIncidents: Number(incidents.count),
    pendingWalletRequests: Number(pending.count),
  };
}
