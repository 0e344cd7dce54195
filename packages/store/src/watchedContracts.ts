import type { Selectable } from 'kysely';
import { ensureChain } from './chains.ts';
import { toJson } from './json.ts';
import { chainKey, normalizeHex } from './normalize.ts';
import type { WatchedContractsTable } from './schema.ts';
import { type StoreClient, withTransaction } from './store.ts';

export type WatchedContract<TConfig = Record<string, unknown>> = {
  chainId: number;
  address: string;
  name: string | null;
  /** The circuit breaker it has, if any (`guardian-pause`, `safe`…). */
  breakerKind: string | null;
  /** Automatic pause is opt-in per contract. */
  autoPause: boolean;
  active: boolean;
  config: TConfig;
  createdAt: Date;
  updatedAt: Date;
};

function fromRow<TConfig>(row: Selectable<WatchedContractsTable>): WatchedContract<TConfig> {
  return {
    chainId: Number(row.chain_id),
    address: row.address,
    name: row.name,
    breakerKind: row.breaker_kind,
    autoPause: row.auto_pause,
    active: row.active,
    config: row.config as TConfig,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Adds a contract to watch, or updates it (registering its chain when new). */
export async function upsertWatchedContract<TConfig extends Record<string, unknown>>(
  store: StoreClient,
  parameters: {
    chainId: number;
    address: string;
    name?: string | null | undefined;
    breakerKind?: string | null | undefined;
    autoPause?: boolean | undefined;
    active?: boolean | undefined;
    config?: TConfig | undefined;
  },
): Promise<WatchedContract<TConfig>> {
  const chainId = chainKey(parameters.chainId);
  return withTransaction(store, async (tx) => {
    await ensureChain(tx, parameters.chainId);
    const row = await tx.db
      .insertInto('watched_contracts')
      .values({
        chain_id: chainId,
        address: normalizeHex(parameters.address, 'address'),
        name: parameters.name ?? null,
        breaker_kind: parameters.breakerKind ?? null,
        auto_pause: parameters.autoPause ?? false,
        active: parameters.active ?? true,
        config: toJson(parameters.config ?? {}),
      })
      .onConflict((oc) =>
        oc.columns(['chain_id', 'address']).doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          breaker_kind: eb.ref('excluded.breaker_kind'),
          auto_pause: eb.ref('excluded.auto_pause'),
          active: eb.ref('excluded.active'),
          config: eb.ref('excluded.config'),
          updated_at: new Date(),
        })),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return fromRow<TConfig>(row);
  });
}

export async function listWatchedContracts(
  store: StoreClient,
  filter: { chainId?: number | undefined; active?: boolean | undefined } = {},
): Promise<WatchedContract[]> {
  let query = store.db.selectFrom('watched_contracts').selectAll();
  if (filter.chainId !== undefined) query = query.where('chain_id', '=', chainKey(filter.chainId));
  if (filter.active !== undefined) query = query.where('active', '=', filter.active);
  const rows = await query.orderBy('chain_id').orderBy('address').execute();
  return rows.map((row) => fromRow(row));
}
