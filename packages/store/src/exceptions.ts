import type { Selectable } from 'kysely';
import { ConflictError, NotFoundError } from './errors.ts';
import type { ExceptionApprovalsTable, ExceptionsTable } from './schema.ts';
import type { StoreClient } from './store.ts';

export type ExceptionTargetKind = 'check' | 'control';

/** A failed gate check or control accepted for a time: reason, compensating control, approvals. */
export type PolicyException = {
  id: string;
  targetKind: ExceptionTargetKind;
  /** A gate check id (`pausable`) or an advisory control id (`SBD-06`). */
  target: string;
  reason: string;
  compensating: string;
  /** 'YYYY-MM-DD': the exception no longer counts after this day. */
  expiresOn: string;
  requiredApprovals: number;
  requestedBy: string;
  requestedAt: Date;
  /** When the quorum of approvals was reached. */
  acceptedAt: Date | null;
  approvals: { approver: string; approvedAt: Date }[];
};

const fromRows = (
  row: Selectable<ExceptionsTable>,
  approvals: Selectable<ExceptionApprovalsTable>[],
): PolicyException => ({
  id: row.id,
  targetKind: row.target_kind,
  target: row.target,
  reason: row.reason,
  compensating: row.compensating,
  expiresOn: row.expires_on,
  requiredApprovals: row.required_approvals,
  requestedBy: row.requested_by,
  requestedAt: row.requested_at,
  acceptedAt: row.accepted_at,
  approvals: approvals
    .filter((a) => a.exception_id === row.id)
    .map((a) => ({ approver: a.approver, approvedAt: a.approved_at })),
});

const idNumber = (id: string) => Number(/^EX-(\d+)$/.exec(id)?.[1] ?? 0);

export type InsertExceptionParameters = Omit<PolicyException, 'id' | 'requestedAt' | 'acceptedAt' | 'approvals'> & {
  requestedAt?: Date | undefined;
};

/** Records a requested exception with the next id (`EX-1`, `EX-2`…). */
export async function insertException(
  store: StoreClient,
  parameters: InsertExceptionParameters,
): Promise<PolicyException> {
  const ids = await store.db.selectFrom('exceptions').select('id').execute();
  const next = Math.max(0, ...ids.map((r) => idNumber(r.id))) + 1;
  const row = await store.db
    .insertInto('exceptions')
    .values({
      id: `EX-${next}`,
      target_kind: parameters.targetKind,
      target: parameters.target,
      reason: parameters.reason,
      compensating: parameters.compensating,
      expires_on: parameters.expiresOn,
      required_approvals: parameters.requiredApprovals,
      requested_by: parameters.requestedBy,
      ...(parameters.requestedAt ? { requested_at: parameters.requestedAt } : {}),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return fromRows(row, []);
}

/** Adds an approval; marks the exception accepted when it reaches its quorum. */
export async function insertExceptionApproval(
  store: StoreClient,
  parameters: { exceptionId: string; approver: string; approvedAt?: Date | undefined },
): Promise<PolicyException> {
  const current = await getException(store, parameters.exceptionId);
  if (current.approvals.some((a) => a.approver === parameters.approver))
    throw new ConflictError(`${parameters.approver} has already approved exception ${current.id}.`, {
      metaMessages: ['Each approver counts once; another approver is needed.'],
      docsPath: 'governance/exceptions.md#approvals',
    });
  const approvedAt = parameters.approvedAt ?? new Date();
  await store.db
    .insertInto('exception_approvals')
    .values({ exception_id: current.id, approver: parameters.approver, approved_at: approvedAt })
    .execute();
  if (current.acceptedAt === null && current.approvals.length + 1 >= current.requiredApprovals)
    await store.db.updateTable('exceptions').set({ accepted_at: approvedAt }).where('id', '=', current.id).execute();
  return getException(store, current.id);
}

export async function getException(store: StoreClient, id: string): Promise<PolicyException> {
  const row = await store.db.selectFrom('exceptions').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row)
    throw new NotFoundError(`No exception with id ${id}.`, {
      metaMessages: ['List them with `bulwark exception list`.'],
      docsPath: 'governance/exceptions.md',
    });
  const approvals = await store.db
    .selectFrom('exception_approvals')
    .selectAll()
    .where('exception_id', '=', id)
    .orderBy('approved_at')
    .execute();
  return fromRows(row, approvals);
}

/** Every exception, in the order they were requested (EX-1, EX-2, … EX-10). */
export async function listExceptions(store: StoreClient): Promise<PolicyException[]> {
  const rows = (await store.db.selectFrom('exceptions').selectAll().execute()).sort(
    (a, b) => idNumber(a.id) - idNumber(b.id),
  );
  const approvals = await store.db
    .selectFrom('exception_approvals')
    .selectAll()
    .orderBy('approved_at')
    .orderBy('approver')
    .execute();
  return rows.map((row) => fromRows(row, approvals));
}
