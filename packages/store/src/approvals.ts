import type { Selectable } from 'kysely';
import { ConflictError } from './errors.ts';
import type { ApprovalsTable, SignatureAlgorithm } from './schema.ts';
import { isUniqueViolation } from './sqlErrors.ts';
import type { StoreClient } from './store.ts';

export type { SignatureAlgorithm } from './schema.ts';

/** A signature over a release digest. Verifying it is the gate's job; the store keeps one per approver and digest. */
export type Approval = {
  id: bigint;
  releaseDigest: string;
  approverKeyId: string;
  algorithm: SignatureAlgorithm;
  signature: string;
  signedAt: Date;
  createdAt: Date;
};

const fromRow = (row: Selectable<ApprovalsTable>): Approval => ({
  id: row.id,
  releaseDigest: row.release_digest,
  approverKeyId: row.approver_key_id,
  algorithm: row.algorithm,
  signature: row.signature,
  signedAt: row.signed_at,
  createdAt: row.created_at,
});

export async function insertApproval(
  store: StoreClient,
  parameters: {
    releaseDigest: string;
    approverKeyId: string;
    algorithm: SignatureAlgorithm;
    signature: string;
    signedAt: Date;
  },
): Promise<Approval> {
  try {
    const row = await store.db
      .insertInto('approvals')
      .values({
        release_digest: parameters.releaseDigest,
        approver_key_id: parameters.approverKeyId,
        algorithm: parameters.algorithm,
        signature: parameters.signature,
        signed_at: parameters.signedAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return fromRow(row);
  } catch (error) {
    if (isUniqueViolation(error))
      throw new ConflictError(`${parameters.approverKeyId} has already approved ${parameters.releaseDigest}.`, {
        cause: error,
        docsPath: 'store.md#governance',
      });
    throw error;
  }
}

export async function listApprovals(
  store: StoreClient,
  filter: { releaseDigest?: string | undefined; approverKeyId?: string | undefined } = {},
): Promise<Approval[]> {
  let query = store.db.selectFrom('approvals').selectAll();
  if (filter.releaseDigest) query = query.where('release_digest', '=', filter.releaseDigest);
  if (filter.approverKeyId) query = query.where('approver_key_id', '=', filter.approverKeyId);
  const rows = await query.orderBy('signed_at').orderBy('id').execute();
  return rows.map(fromRow);
}
