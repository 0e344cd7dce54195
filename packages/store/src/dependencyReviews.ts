import type { Selectable } from 'kysely';
import type { DependencyReviewsTable, DependencyVerdict } from './schema.ts';
import type { StoreClient } from './store.ts';

/** A review of one open-source dependency at an exact version and integrity hash. */
export type DependencyReview = {
  id: bigint;
  /** `npm`, `foundry`, `solidity-import`… */
  ecosystem: string;
  name: string;
  version: string;
  integrity: string;
  reviewer: string;
  verdict: DependencyVerdict;
  notes: string | null;
  reviewedAt: Date;
};

const fromRow = (row: Selectable<DependencyReviewsTable>): DependencyReview => ({
  id: row.id,
  ecosystem: row.ecosystem,
  name: row.name,
  version: row.version,
  integrity: row.integrity,
  reviewer: row.reviewer,
  verdict: row.verdict,
  notes: row.notes,
  reviewedAt: row.reviewed_at,
});

export async function insertDependencyReview(
  store: StoreClient,
  parameters: Omit<DependencyReview, 'id' | 'reviewedAt' | 'notes'> & {
    notes?: string | null | undefined;
    reviewedAt?: Date | undefined;
  },
): Promise<DependencyReview> {
  const row = await store.db
    .insertInto('dependency_reviews')
    .values({
      ecosystem: parameters.ecosystem,
      name: parameters.name,
      version: parameters.version,
      integrity: parameters.integrity,
      reviewer: parameters.reviewer,
      verdict: parameters.verdict,
      notes: parameters.notes ?? null,
      reviewed_at: parameters.reviewedAt ?? new Date(),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return fromRow(row);
}

/** Reviews, oldest first; filter by package to find the one covering an exact version and integrity. */
export async function listDependencyReviews(
  store: StoreClient,
  filter: {
    ecosystem?: string | undefined;
    name?: string | undefined;
    version?: string | undefined;
    integrity?: string | undefined;
  } = {},
): Promise<DependencyReview[]> {
  let query = store.db.selectFrom('dependency_reviews').selectAll();
  if (filter.ecosystem) query = query.where('ecosystem', '=', filter.ecosystem);
  if (filter.name) query = query.where('name', '=', filter.name);
  if (filter.version) query = query.where('version', '=', filter.version);
  if (filter.integrity) query = query.where('integrity', '=', filter.integrity);
  const rows = await query.orderBy('reviewed_at').orderBy('id').execute();
  return rows.map(fromRow);
}
