import { randomUUID } from 'node:crypto';
import { InputError } from '@bulwark/core';
import type { Selectable } from 'kysely';
import { ConflictError, NotFoundError } from './errors.ts';
import { toJson } from './json.ts';
import type { RisksTable } from './schema.ts';
import type { StoreClient } from './store.ts';

export type Risk = {
  id: string;
  threat: string;
  asset: string;
  /** 1 (rare) to 5 (almost certain). */
  likelihood: number;
  /** 1 (negligible) to 5 (severe). */
  impact: number;
  /** likelihood × impact. */
  score: number;
  owner: string;
  /** `mitigate`, `accept`, `transfer`, `avoid`. */
  treatment: string;
  /** 'YYYY-MM-DD'. */
  reviewDate: string | null;
  /** Advisory control ids. */
  controls: string[];
  createdAt: Date;
  updatedAt: Date;
  /** `open`, or `closed`: retired from the register with a reason. */
  status: 'open' | 'closed';
  closedReason: string | null;
  closedAt: Date | null;
};

const fromRow = (row: Selectable<RisksTable>): Risk => ({
  id: row.id,
  threat: row.threat,
  asset: row.asset,
  likelihood: row.likelihood,
  impact: row.impact,
  score: row.score,
  owner: row.owner,
  treatment: row.treatment,
  reviewDate: row.review_date,
  controls: row.controls,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  status: row.status === 'closed' ? 'closed' : 'open',
  closedReason: row.closed_reason,
  closedAt: row.closed_at,
});

type RiskFields = Omit<
  Risk,
  'id' | 'score' | 'createdAt' | 'updatedAt' | 'reviewDate' | 'controls' | 'status' | 'closedReason' | 'closedAt'
> & {
  reviewDate?: string | null | undefined;
  controls?: string[] | undefined;
};

function check(fields: Partial<RiskFields>): void {
  for (const key of ['likelihood', 'impact'] as const) {
    const value = fields[key];
    if (value !== undefined && !(Number.isInteger(value) && value >= 1 && value <= 5))
      throw new InputError(`A risk's ${key} must be an integer from 1 to 5, not ${value}.`);
  }
  if (fields.reviewDate && !/^\d{4}-\d{2}-\d{2}$/.test(fields.reviewDate))
    throw new InputError(`The review date "${fields.reviewDate}" is not YYYY-MM-DD.`);
}

export async function insertRisk(
  store: StoreClient,
  parameters: RiskFields & { id?: string | undefined },
): Promise<Risk> {
  check(parameters);
  const row = await store.db
    .insertInto('risks')
    .values({
      id: parameters.id ?? randomUUID(),
      threat: parameters.threat,
      asset: parameters.asset,
      likelihood: parameters.likelihood,
      impact: parameters.impact,
      owner: parameters.owner,
      treatment: parameters.treatment,
      review_date: parameters.reviewDate ?? null,
      controls: toJson(parameters.controls ?? []),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return fromRow(row);
}

export async function updateRisk(store: StoreClient, id: string, changes: Partial<RiskFields>): Promise<Risk> {
  check(changes);
  const row = await store.db
    .updateTable('risks')
    .set({
      updated_at: new Date(),
      ...(changes.threat !== undefined && { threat: changes.threat }),
      ...(changes.asset !== undefined && { asset: changes.asset }),
      ...(changes.likelihood !== undefined && { likelihood: changes.likelihood }),
      ...(changes.impact !== undefined && { impact: changes.impact }),
      ...(changes.owner !== undefined && { owner: changes.owner }),
      ...(changes.treatment !== undefined && { treatment: changes.treatment }),
      ...(changes.reviewDate !== undefined && { review_date: changes.reviewDate }),
      ...(changes.controls !== undefined && { controls: toJson(changes.controls) }),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new NotFoundError(`No risk with id ${id}.`, { docsPath: 'store.md#governance' });
  return fromRow(row);
}

/** Risks, highest score first. */
export async function listRisks(
  store: StoreClient,
  filter: {
    owner?: string | undefined;
    minScore?: number | undefined;
    reviewDueBy?: string | undefined;
    /** Most risks read (the highest scores); default all. */
    limit?: number | undefined;
  } = {},
): Promise<Risk[]> {
  let query = store.db.selectFrom('risks').selectAll();
  if (filter.owner) query = query.where('owner', '=', filter.owner);
  if (filter.minScore !== undefined) query = query.where('score', '>=', filter.minScore);
  if (filter.reviewDueBy) query = query.where('review_date', '<=', filter.reviewDueBy);
  query = query.orderBy('score', 'desc').orderBy('id');
  if (filter.limit !== undefined) query = query.limit(filter.limit);
  const rows = await query.execute();
  return rows.map(fromRow);
}

/** Retires a risk from the register with a reason; a closed risk stays readable. */
export async function closeRisk(
  store: StoreClient,
  id: string,
  parameters: { reason: string; at?: Date | undefined },
): Promise<Risk> {
  const at = parameters.at ?? new Date();
  const row = await store.db
    .updateTable('risks')
    .set({ status: 'closed', closed_reason: parameters.reason, closed_at: at, updated_at: at })
    .where('id', '=', id)
    .where('status', '=', 'open')
    .returningAll()
    .executeTakeFirst();
  if (row) return fromRow(row);
  const exists = await store.db.selectFrom('risks').select('id').where('id', '=', id).executeTakeFirst();
  if (!exists) throw new NotFoundError(`No risk with id ${id}.`, { docsPath: 'store.md#governance' });
  throw new ConflictError(`Risk ${id} is already closed.`, { docsPath: 'governance/risk.md#closing' });
}
