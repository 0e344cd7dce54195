import type { Selectable } from 'kysely';
import { toJson } from './json.ts';
import type { ControlEvidenceTable } from './schema.ts';
import type { StoreClient } from './store.ts';

/** One piece of evidence for an advisory control: a passing gate, a complete documentation check… */
export type ControlEvidence<TData = Record<string, unknown>> = {
  id: bigint;
  controlId: string;
  kind: string;
  /** Where the evidence is: a report path, an incident id, a run id. */
  ref: string;
  status: string;
  data: TData;
  collectedAt: Date;
};

const fromRow = <TData>(row: Selectable<ControlEvidenceTable>): ControlEvidence<TData> => ({
  id: row.id,
  controlId: row.control_id,
  kind: row.kind,
  ref: row.ref,
  status: row.status,
  data: row.data as TData,
  collectedAt: row.collected_at,
});

export async function insertControlEvidence<TData extends Record<string, unknown>>(
  store: StoreClient,
  parameters: {
    controlId: string;
    kind: string;
    ref: string;
    status: string;
    data?: TData | undefined;
    collectedAt?: Date | undefined;
  },
): Promise<ControlEvidence<TData>> {
  const row = await store.db
    .insertInto('control_evidence')
    .values({
      control_id: parameters.controlId,
      kind: parameters.kind,
      ref: parameters.ref,
      status: parameters.status,
      data: toJson(parameters.data ?? {}),
      collected_at: parameters.collectedAt ?? new Date(),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return fromRow<TData>(row);
}

/** Evidence, newest first; `latest` keeps only the newest per control and kind. */
export async function listControlEvidence(
  store: StoreClient,
  filter: { controlId?: string | undefined; latest?: boolean | undefined } = {},
): Promise<ControlEvidence[]> {
  let query = store.db.selectFrom('control_evidence').selectAll();
  if (filter.controlId) query = query.where('control_id', '=', filter.controlId);
  const rows = await query.orderBy('collected_at', 'desc').orderBy('id', 'desc').execute();
  const evidence = rows.map((row) => fromRow<Record<string, unknown>>(row));
  if (!filter.latest) return evidence;
  const seen = new Set<string>();
  return evidence.filter((e) => {
    const key = `${e.controlId}\u0000${e.kind}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
