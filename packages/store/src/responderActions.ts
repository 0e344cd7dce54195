import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { NotFoundError } from './errors.ts';
import { addIncidentEvent } from './incidents.ts';
import { toJson } from './json.ts';
import { chainIdFromRow, chainKey, normalizeOptionalHex } from './normalize.ts';
import type { ResponderActionKind, ResponderActionsTable } from './schema.ts';
import { type StoreClient, withTransaction } from './store.ts';

export type { ResponderActionKind } from './schema.ts';

/** What a responder did about an incident: a pause sent, a Safe proposal recorded, signers notified. */
export type ResponderAction<TData = Record<string, unknown>> = {
  id: string;
  incidentId: string;
  kind: ResponderActionKind;
  chainId: number | null;
  address: string | null;
  dryRun: boolean;
  txHash: string | null;
  /** The responder's own words: `planned`, `sent`, `mined`, `verified`, `proposed`, `failed`… */
  status: string;
  data: TData;
  createdAt: Date;
  updatedAt: Date;
};

function fromRow<TData>(row: Selectable<ResponderActionsTable>): ResponderAction<TData> {
  return {
    id: row.id,
    incidentId: row.incident_id,
    kind: row.kind,
    chainId: chainIdFromRow(row.chain_id),
    address: row.address,
    dryRun: row.dry_run,
    txHash: row.tx_hash,
    status: row.status,
    data: row.data as TData,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export type RecordResponderActionParameters<TData> = {
  id?: string | undefined;
  incidentId: string;
  kind: ResponderActionKind;
  chainId?: number | null | undefined;
  address?: string | null | undefined;
  dryRun: boolean;
  status: string;
  txHash?: string | null | undefined;
  data?: TData | undefined;
  actor: string;
  at?: Date | undefined;
};

/** Records an action and notes it on the incident's timeline, in one transaction. */
export async function recordResponderAction<TData extends Record<string, unknown>>(
  store: StoreClient,
  parameters: RecordResponderActionParameters<TData>,
): Promise<ResponderAction<TData>> {
  const at = parameters.at ?? new Date();
  return withTransaction(store, async (tx) => {
    const event = {
      kind: parameters.kind,
      dryRun: parameters.dryRun,
      status: parameters.status,
      txHash: parameters.txHash ?? null,
    };
    const id = parameters.id ?? randomUUID();
    // The event first: it fails with a clear NotFoundError when the incident does not exist.
    await addIncidentEvent(tx, {
      incidentId: parameters.incidentId,
      kind: 'responder-action',
      actor: parameters.actor,
      at,
      data: { actionId: id, ...event },
    });
    const row = await tx.db
      .insertInto('responder_actions')
      .values({
        id,
        incident_id: parameters.incidentId,
        kind: parameters.kind,
        chain_id: parameters.chainId == null ? null : chainKey(parameters.chainId),
        address: normalizeOptionalHex(parameters.address, 'address'),
        dry_run: parameters.dryRun,
        tx_hash: normalizeOptionalHex(parameters.txHash, 'transaction hash'),
        status: parameters.status,
        data: toJson(parameters.data ?? {}),
        created_at: at,
        updated_at: at,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return fromRow<TData>(row);
  });
}

/** Updates an action's status (sent → mined → verified), noting the change on the timeline. */
export async function updateResponderAction<TData extends Record<string, unknown>>(
  store: StoreClient,
  parameters: {
    id: string;
    status: string;
    txHash?: string | null | undefined;
    data?: TData | undefined;
    actor: string;
    at?: Date | undefined;
  },
): Promise<ResponderAction<TData>> {
  const at = parameters.at ?? new Date();
  return withTransaction(store, async (tx) => {
    const row = await tx.db
      .updateTable('responder_actions')
      .set({
        status: parameters.status,
        updated_at: at,
        ...(parameters.txHash !== undefined
          ? { tx_hash: normalizeOptionalHex(parameters.txHash, 'transaction hash') }
          : {}),
        ...(parameters.data !== undefined ? { data: toJson(parameters.data) } : {}),
      })
      .where('id', '=', parameters.id)
      .returningAll()
      .executeTakeFirst();
    if (!row)
      throw new NotFoundError(`No responder action with id ${parameters.id}.`, { docsPath: 'store.md#incidents' });
    await addIncidentEvent(tx, {
      incidentId: row.incident_id,
      kind: 'responder-action',
      actor: parameters.actor,
      at,
      data: { actionId: row.id, kind: row.kind, dryRun: row.dry_run, status: row.status, txHash: row.tx_hash },
    });
    return fromRow<TData>(row);
  });
}

export async function listResponderActions(
  store: StoreClient,
  filter: { incidentId?: string | undefined; kind?: ResponderActionKind | undefined } = {},
): Promise<ResponderAction[]> {
  let query = store.db.selectFrom('responder_actions').selectAll();
  if (filter.incidentId) query = query.where('incident_id', '=', filter.incidentId);
  if (filter.kind) query = query.where('kind', '=', filter.kind);
  const rows = await query.orderBy('created_at').orderBy('id').execute();
  return rows.map((row) => fromRow(row));
}
