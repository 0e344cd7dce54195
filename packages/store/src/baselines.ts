import type { Selectable } from 'kysely';
import { ConflictError } from './errors.ts';
import { toJson } from './json.ts';
import { chainKey, normalizeHex } from './normalize.ts';
import type { BaselinesTable } from './schema.ts';
import type { StoreClient } from './store.ts';

/**
 * A learned statistic of one contract over one window (for example calls per selector over
 * `1h`). `stats` is JSON: amounts in wei go in as decimal strings or bigints, never as numbers.
 */
export type Baseline<TStats = Record<string, unknown>> = {
  chainId: number;
  address: string;
  metricKey: string;
  window: string;
  stats: TStats;
  /** 1 on insert, +1 on each update: pass it back as `expectedVersion` to update safely. */
  version: number;
  updatedAt: Date;
};

export type BaselineKey = { chainId: number; address: string; metricKey: string; window: string };

export type UpsertBaselineParameters<TStats> = BaselineKey & {
  stats: TStats;
  /**
   * Write only if the stored version is still this one (0: must not exist yet), else
   * ConflictError: two learners updating one baseline do not lose each other's samples.
   */
  expectedVersion?: number | undefined;
  updatedAt?: Date | undefined;
};

function fromRow<TStats>(row: Selectable<BaselinesTable>): Baseline<TStats> {
  return {
    chainId: Number(row.chain_id),
    address: row.address,
    metricKey: row.metric_key,
    window: row.window,
    stats: row.stats as TStats,
    version: row.version,
    updatedAt: row.updated_at,
  };
}

export async function upsertBaseline<TStats = Record<string, unknown>>(
  store: StoreClient,
  parameters: UpsertBaselineParameters<TStats>,
): Promise<Baseline<TStats>> {
  const key = {
    chain_id: chainKey(parameters.chainId),
    address: normalizeHex(parameters.address, 'address'),
    metric_key: parameters.metricKey,
    window: parameters.window,
  };
  const insert = store.db
    .insertInto('baselines')
    .values({ ...key, stats: toJson(parameters.stats), updated_at: parameters.updatedAt ?? new Date() });
  const expected = parameters.expectedVersion;
  const row = await (expected === 0
    ? insert.onConflict((oc) => oc.columns(['chain_id', 'address', 'metric_key', 'window']).doNothing())
    : insert.onConflict((oc) => {
        const update = oc.columns(['chain_id', 'address', 'metric_key', 'window']).doUpdateSet((eb) => ({
          stats: eb.ref('excluded.stats'),
          updated_at: eb.ref('excluded.updated_at'),
          version: eb('baselines.version', '+', 1),
        }));
        return expected === undefined ? update : update.where('baselines.version', '=', expected);
      })
  )
    .returningAll()
    .executeTakeFirst();
  if (!row) {
    const current = await getBaseline(store, parameters);
    throw new ConflictError(
      `The baseline ${parameters.metricKey}/${parameters.window} of ${key.address} is at version ${current?.version ?? 'none'}, not ${expected}.`,
      {
        metaMessages: ['Another writer updated it; read it again, merge, and retry.'],
        retryable: true,
        docsPath: 'store.md#baselines',
      },
    );
  }
  return fromRow(row);
}

export async function getBaseline<TStats = Record<string, unknown>>(
  store: StoreClient,
  key: BaselineKey,
): Promise<Baseline<TStats> | undefined> {
  const row = await store.db
    .selectFrom('baselines')
    .selectAll()
    .where('chain_id', '=', chainKey(key.chainId))
    .where('address', '=', normalizeHex(key.address, 'address'))
    .where('metric_key', '=', key.metricKey)
    .where('window', '=', key.window)
    .executeTakeFirst();
  return row && fromRow(row);
}

/** Baselines, filtered; ordered by chain, contract, metric and window. */
export async function listBaselines<TStats = Record<string, unknown>>(
  store: StoreClient,
  filter: { chainId?: number; address?: string; metricKey?: string; window?: string } = {},
): Promise<Baseline<TStats>[]> {
  let query = store.db.selectFrom('baselines').selectAll();
  if (filter.chainId !== undefined) query = query.where('chain_id', '=', chainKey(filter.chainId));
  if (filter.address !== undefined) query = query.where('address', '=', normalizeHex(filter.address, 'address'));
  if (filter.metricKey !== undefined) query = query.where('metric_key', '=', filter.metricKey);
  if (filter.window !== undefined) query = query.where('window', '=', filter.window);
  const rows = await query.orderBy('chain_id').orderBy('address').orderBy('metric_key').orderBy('window').execute();
  return rows.map((row) => fromRow<TStats>(row));
}

/** Deletes a contract's baselines of one metric in the windows named (a row that is no longer needed); returns how many. */
export async function deleteBaselines(
  store: StoreClient,
  key: Omit<BaselineKey, 'window'> & { windows: readonly string[] },
): Promise<number> {
  if (key.windows.length === 0) return 0;
  const result = await store.db
    .deleteFrom('baselines')
    .where('chain_id', '=', chainKey(key.chainId))
    .where('address', '=', normalizeHex(key.address, 'address'))
    .where('metric_key', '=', key.metricKey)
    .where('window', 'in', [...key.windows])
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
