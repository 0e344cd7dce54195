import { randomUUID } from 'node:crypto';
import { type Selectable, sql } from 'kysely';
import { NotFoundError } from './errors.ts';
import { toJson } from './json.ts';
import { chainIdFromRow, chainKey, checkBlockNumber, normalizeOptionalHex } from './normalize.ts';
import type { AlertDeliveryKind, AlertStatus, AlertsTable } from './schema.ts';
import { type StoreClient, withTransaction } from './store.ts';

export type Alert<TPayload = Record<string, unknown>> = {
  id: string;
  ruleId: string;
  severity: string;
  chainId: number | null;
  address: string | null;
  blockNumber: bigint | null;
  blockHash: string | null;
  txHash: string | null;
  dedupeKey: string;
  payload: TPayload;
  status: AlertStatus;
  retractedAt: Date | null;
  retractReason: string | null;
  incidentId: string | null;
  createdAt: Date;
};

export function fromRow<TPayload>(row: Selectable<AlertsTable>): Alert<TPayload> {
  return {
    id: row.id,
    ruleId: row.rule_id,
    severity: row.severity,
    chainId: chainIdFromRow(row.chain_id),
    address: row.address,
    blockNumber: row.block_number,
    blockHash: row.block_hash,
    txHash: row.tx_hash,
    dedupeKey: row.dedupe_key,
    payload: row.payload as TPayload,
    status: row.status,
    retractedAt: row.retracted_at,
    retractReason: row.retract_reason,
    incidentId: row.incident_id,
    createdAt: row.created_at,
  };
}

/** Default cooldown: an alert with the same dedupe key within it is the same alert. */
export const defaultAlertCooldownMs = 10 * 60_000;

export type InsertAlertParameters<TPayload> = {
  id?: string | undefined;
  ruleId: string;
  severity: string;
  chainId?: number | null | undefined;
  address?: string | null | undefined;
  blockNumber?: bigint | null | undefined;
  blockHash?: string | null | undefined;
  txHash?: string | null | undefined;
  /** What makes two alerts the same (rule, contract, attacker…); the caller's choice. */
  dedupeKey: string;
  payload?: TPayload | undefined;
  createdAt?: Date | undefined;
  cooldownMs?: number | undefined;
};

export type InsertAlertReturnType<TPayload> = {
  alert: Alert<TPayload>;
  /** True when an active alert with the same key was raised within the cooldown: `alert` is that one. */
  duplicate: boolean;
};

/**
 * Stores an alert unless an active one with the same dedupe key was raised within the cooldown,
 * in which case that one is returned. Writers with the same key are serialised by an advisory
 * lock on the key, so concurrent monitors on PostgreSQL still store one alert. Retracted alerts
 * do not count: an alert re-issued after a reorg is stored again.
 */
export async function insertAlert<TPayload = Record<string, unknown>>(
  store: StoreClient,
  parameters: InsertAlertParameters<TPayload>,
): Promise<InsertAlertReturnType<TPayload>> {
  const createdAt = parameters.createdAt ?? new Date();
  const cooldownMs = parameters.cooldownMs ?? defaultAlertCooldownMs;
  const values = {
    id: parameters.id ?? randomUUID(),
    rule_id: parameters.ruleId,
    severity: parameters.severity,
    chain_id: parameters.chainId == null ? null : chainKey(parameters.chainId),
    address: normalizeOptionalHex(parameters.address, 'address'),
    block_number: parameters.blockNumber == null ? null : checkBlockNumber(parameters.blockNumber),
    block_hash: normalizeOptionalHex(parameters.blockHash, 'block hash'),
    tx_hash: normalizeOptionalHex(parameters.txHash, 'transaction hash'),
    dedupe_key: parameters.dedupeKey,
    payload: toJson(parameters.payload ?? {}),
    created_at: createdAt,
  };
  return withTransaction(store, async (tx) => {
    await sql`select pg_advisory_xact_lock(hashtextextended(${`bulwark.alert:${parameters.dedupeKey}`}, 0))`.execute(
      tx.db,
    );
    // No cooldown: every alert is stored (two in the same millisecond are not the same alert).
    if (cooldownMs <= 0) {
      const row = await tx.db.insertInto('alerts').values(values).returningAll().executeTakeFirstOrThrow();
      return { alert: fromRow<TPayload>(row), duplicate: false };
    }
    const existing = await tx.db
      .selectFrom('alerts')
      .selectAll()
      .where('dedupe_key', '=', parameters.dedupeKey)
      .where('status', '=', 'active')
      .where('created_at', '>=', new Date(createdAt.getTime() - cooldownMs))
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (existing) return { alert: fromRow<TPayload>(existing), duplicate: true };
    const row = await tx.db.insertInto('alerts').values(values).returningAll().executeTakeFirstOrThrow();
    return { alert: fromRow<TPayload>(row), duplicate: false };
  });
}

export async function getAlert<TPayload = Record<string, unknown>>(
  store: StoreClient,
  id: string,
): Promise<Alert<TPayload> | undefined> {
  const row = await store.db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
  return row && fromRow<TPayload>(row);
}

/**
 * Marks an alert retracted (a reorg removed its block, or it was a false positive). Idempotent:
 * a retracted alert keeps its first reason and time.
 */
export async function retractAlert(
  store: StoreClient,
  parameters: { id: string; reason: string; at?: Date | undefined },
): Promise<Alert> {
  const row = await withTransaction(store, async (tx) => {
    const retracted = await tx.db
      .updateTable('alerts')
      .set({ status: 'retracted', retracted_at: parameters.at ?? new Date(), retract_reason: parameters.reason })
      .where('id', '=', parameters.id)
      .where('status', '=', 'active')
      .returningAll()
      .executeTakeFirst();
    if (retracted) await queueRetractions(tx, [retracted.id]);
    return retracted;
  });
  if (row) return fromRow(row);
  const existing = await getAlert(store, parameters.id);
  if (!existing) throw new NotFoundError(`No alert with id ${parameters.id}.`, { docsPath: 'store.md#alerts' });
  return existing;
}

/**
 * After a reorg: retracts the active alerts of a chain raised at or above `fromBlock`, and returns
 * them so that the monitor can re-evaluate the new blocks and re-issue what still holds.
 */
export async function retractAlertsFromBlock(
  store: StoreClient,
  parameters: {
    chainId: number;
    fromBlock: bigint;
    reason: string;
    at?: Date | undefined;
    /** Only the alerts of these blocks (the dropped ones), when known: alerts of their replacements stay. */
    blockHashes?: readonly string[] | undefined;
  },
): Promise<Alert[]> {
  const rows = await withTransaction(store, async (tx) => {
    let query = tx.db
      .updateTable('alerts')
      .set({ status: 'retracted', retracted_at: parameters.at ?? new Date(), retract_reason: parameters.reason })
      .where('chain_id', '=', chainKey(parameters.chainId))
      .where('block_number', '>=', checkBlockNumber(parameters.fromBlock))
      .where('status', '=', 'active');
    if (parameters.blockHashes)
      query = query.where(
        'block_hash',
        'in',
        parameters.blockHashes.length > 0 ? parameters.blockHashes.map((hash) => hash.toLowerCase()) : [''],
      );
    const retracted = await query.returningAll().execute();
    await queueRetractions(
      tx,
      retracted.map((row) => row.id),
    );
    return retracted;
  });
  return rows
    .map((row) => fromRow<Record<string, unknown>>(row))
    .sort((a, b) => Number((a.blockNumber ?? 0n) - (b.blockNumber ?? 0n)));
}

/**
 * Retracting alerts: a sink that got one is queued its retraction; one still waiting for it is
 * not sent it any more.
 */
async function queueRetractions(tx: StoreClient, alertIds: readonly string[]): Promise<void> {
  if (alertIds.length === 0) return;
  await tx.db
    .deleteFrom('alert_deliveries')
    .where('alert_id', 'in', alertIds)
    .where('kind', '=', 'alert')
    .where('delivered_at', 'is', null)
    .execute();
  const delivered = await tx.db
    .selectFrom('alert_deliveries')
    .select(['alert_id', 'sink'])
    .where('alert_id', 'in', alertIds)
    .where('kind', '=', 'alert')
    .execute();
  if (delivered.length === 0) return;
  await tx.db
    .insertInto('alert_deliveries')
    .values(delivered.map((row) => ({ alert_id: row.alert_id, sink: row.sink, kind: 'retraction' as const })))
    .onConflict((oc) => oc.columns(['alert_id', 'sink', 'kind']).doNothing())
    .execute();
}

/** Queues an alert for the named sinks (in the transaction that records it, so a crash loses neither). */
export async function queueAlertDeliveries(
  store: StoreClient,
  parameters: { alertId: string; sinks: readonly string[] },
): Promise<void> {
  if (parameters.sinks.length === 0) return;
  await store.db
    .insertInto('alert_deliveries')
    .values(parameters.sinks.map((sink) => ({ alert_id: parameters.alertId, sink, kind: 'alert' as const })))
    .onConflict((oc) => oc.columns(['alert_id', 'sink', 'kind']).doNothing())
    .execute();
}

/** Records that a sink took an alert or its retraction; it is not sent again. */
export async function markAlertDelivered(
  store: StoreClient,
  parameters: { alertId: string; sink: string; kind: AlertDeliveryKind; at?: Date | undefined },
): Promise<void> {
  await store.db
    .updateTable('alert_deliveries')
    .set({ delivered_at: parameters.at ?? new Date() })
    .where('alert_id', '=', parameters.alertId)
    .where('sink', '=', parameters.sink)
    .where('kind', '=', parameters.kind)
    .where('delivered_at', 'is', null)
    .execute();
}

export type PendingDelivery<TPayload = Record<string, unknown>> = {
  alert: Alert<TPayload>;
  kind: AlertDeliveryKind;
  /** The sinks still to be sent this alert (or retraction). */
  sinks: string[];
};

/**
 * Alerts and retractions queued and not yet taken by their sinks, oldest first (an alert before
 * its retraction). The outbox a monitor empties at start and after each block.
 */
export async function listPendingDeliveries<TPayload = Record<string, unknown>>(
  store: StoreClient,
  filter: { chainId?: number | undefined; limit?: number | undefined } = {},
): Promise<PendingDelivery<TPayload>[]> {
  let query = store.db
    .selectFrom('alert_deliveries as d')
    .innerJoin('alerts as a', 'a.id', 'd.alert_id')
    .selectAll('a')
    .select(['d.sink as delivery_sink', 'd.kind as delivery_kind', 'd.queued_at as delivery_queued_at'])
    .where('d.delivered_at', 'is', null);
  if (filter.chainId !== undefined) query = query.where('a.chain_id', '=', chainKey(filter.chainId));
  if (filter.limit !== undefined) query = query.limit(filter.limit);
  const rows = await query
    .orderBy('d.queued_at')
    .orderBy('a.created_at')
    .orderBy('d.kind')
    .orderBy('a.id')
    .orderBy('d.sink')
    .execute();
  const pending: PendingDelivery<TPayload>[] = [];
  for (const row of rows) {
    const last = pending.at(-1);
    if (last && last.alert.id === row.id && last.kind === row.delivery_kind) last.sinks.push(row.delivery_sink);
    else pending.push({ alert: fromRow<TPayload>(row), kind: row.delivery_kind, sinks: [row.delivery_sink] });
  }
  return pending;
}

export type ListAlertsParameters = {
  status?: AlertStatus | undefined;
  ruleId?: string | undefined;
  chainId?: number | undefined;
  address?: string | undefined;
  incidentId?: string | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
  limit?: number | undefined;
};

/** Alerts, newest first. */
export async function listAlerts(store: StoreClient, filter: ListAlertsParameters = {}): Promise<Alert[]> {
  let query = store.db.selectFrom('alerts').selectAll();
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.ruleId) query = query.where('rule_id', '=', filter.ruleId);
  if (filter.chainId !== undefined) query = query.where('chain_id', '=', chainKey(filter.chainId));
  if (filter.address) query = query.where('address', '=', filter.address.toLowerCase());
  if (filter.incidentId) query = query.where('incident_id', '=', filter.incidentId);
  if (filter.since) query = query.where('created_at', '>=', filter.since);
  if (filter.until) query = query.where('created_at', '<', filter.until);
  if (filter.limit !== undefined) query = query.limit(filter.limit);
  const rows = await query.orderBy('created_at', 'desc').orderBy('id').execute();
  return rows.map((row) => fromRow<Record<string, unknown>>(row));
}

export type AlertSummary = {
  /** Alerts raised in the window. */
  count: number;
  /** Their rules, each once, in the order `listAlerts` first lists them (newest alert first). */
  ruleIds: string[];
};

/**
 * How many alerts were raised in [since, until) and by which rules, counted in the database: a
 * report that names them need not read thousands of rows.
 */
export async function summarizeAlerts(store: StoreClient, window: { since: Date; until: Date }): Promise<AlertSummary> {
  const inWindow = store.db
    .selectFrom('alerts')
    .where('created_at', '>=', window.since)
    .where('created_at', '<', window.until);
  const [total, newest] = await Promise.all([
    inWindow.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    // Each rule's first row in listAlerts' order (created_at desc, id), then those rows in that order.
    store.db
      .selectFrom(
        inWindow
          .distinctOn('rule_id')
          .select(['rule_id', 'created_at', 'id'])
          .orderBy('rule_id')
          .orderBy('created_at', 'desc')
          .orderBy('id')
          .as('newest'),
      )
      .select('rule_id')
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .execute(),
  ]);
  const ruleIds = newest.map((row) => row.rule_id);
  return { count: Number(total.n), ruleIds };
}
