import { appendLog } from './auditLog.ts';
import { toJson } from './json.ts';
import { type StoreClient, withTransaction } from './store.ts';

/** A wallet request's simulation as recorded at submission (the shape is @bulwark/wallet's `TransactionPreview`). */
export type WalletRequestPreview = { requestId: string; preview: Record<string, unknown>; createdAt: Date };

/** Records a request's simulation with a `wallet.preview` log entry, in one transaction. */
export async function recordWalletRequestPreview(
  store: StoreClient,
  parameters: { requestId: string; preview: Record<string, unknown>; actor: string; at?: Date | undefined },
): Promise<WalletRequestPreview> {
  const at = parameters.at ?? new Date();
  return withTransaction(store, async (tx) => {
    const row = await tx.db
      .insertInto('wallet_request_previews')
      .values({ request_id: parameters.requestId, preview: toJson(parameters.preview), created_at: at })
      .returningAll()
      .executeTakeFirstOrThrow();
    const flags = (parameters.preview.flags as { id?: unknown }[] | undefined) ?? [];
    await appendLog(tx, {
      actor: parameters.actor,
      action: 'wallet.preview',
      payload: { id: parameters.requestId, status: parameters.preview.status, flags: flags.map((flag) => flag.id) },
      at,
    });
    return { requestId: row.request_id, preview: row.preview, createdAt: row.created_at };
  });
}

/** The recorded simulations of these requests, by request id (requests without one are absent). */
export async function getWalletRequestPreviews(
  store: StoreClient,
  requestIds: readonly string[],
): Promise<Map<string, Record<string, unknown>>> {
  if (requestIds.length === 0) return new Map();
  const rows = await store.db
    .selectFrom('wallet_request_previews')
    .select(['request_id', 'preview'])
    .where('request_id', 'in', [...requestIds])
    .execute();
  return new Map(rows.map((row) => [row.request_id, row.preview]));
}
