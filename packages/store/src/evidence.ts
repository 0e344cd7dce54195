import type { Selectable } from 'kysely';
import { NotFoundError } from './errors.ts';
import type { EvidenceTable } from './schema.ts';
import type { StoreClient } from './store.ts';

/** One version of a file that evidences an advisory control (a policy, a DR test, a pen test…). */
export type Evidence = {
  id: bigint;
  controlId: string;
  /** `policy`, `bcp-test`, `dr-test`, `pentest`, `training`, `threat-model`, `other`. */
  kind: string;
  title: string;
  /** The path as recorded (relative to the project folder when inside it). */
  file: string;
  sha256: string;
  size: bigint;
  /** 1 for the first add of this control and file, +1 for each re-add. */
  version: number;
  owner: string;
  /** 'YYYY-MM-DD': the evidence no longer counts after this day. */
  expiresOn: string;
  addedBy: string;
  addedAt: Date;
};

const fromRow = (row: Selectable<EvidenceTable>): Evidence => ({
  id: row.id,
  controlId: row.control_id,
  kind: row.kind,
  title: row.title,
  file: row.file,
  sha256: row.sha256,
  size: row.size,
  version: row.version,
  owner: row.owner,
  expiresOn: row.expires_on,
  addedBy: row.added_by,
  addedAt: row.added_at,
});

export type InsertEvidenceParameters = Omit<Evidence, 'id' | 'version' | 'addedAt' | 'size'> & {
  size: bigint | number;
  addedAt?: Date | undefined;
};

/** Records a new version of the evidence (the next after the newest for the same control and file). */
export async function insertEvidence(store: StoreClient, parameters: InsertEvidenceParameters): Promise<Evidence> {
  const last = await store.db
    .selectFrom('evidence')
    .select((eb) => eb.fn.max('version').as('version'))
    .where('control_id', '=', parameters.controlId)
    .where('file', '=', parameters.file)
    .executeTakeFirst();
  const row = await store.db
    .insertInto('evidence')
    .values({
      control_id: parameters.controlId,
      kind: parameters.kind,
      title: parameters.title,
      file: parameters.file,
      sha256: parameters.sha256,
      size: parameters.size,
      version: Number(last?.version ?? 0) + 1,
      owner: parameters.owner,
      expires_on: parameters.expiresOn,
      added_by: parameters.addedBy,
      ...(parameters.addedAt ? { added_at: parameters.addedAt } : {}),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return fromRow(row);
}

/** Evidence by control then file, newest version first; `latest` keeps the newest version of each file. */
export async function listEvidence(
  store: StoreClient,
  filter: { controlId?: string | undefined; latest?: boolean | undefined } = {},
): Promise<Evidence[]> {
  let query = store.db.selectFrom('evidence').selectAll();
  if (filter.controlId) query = query.where('control_id', '=', filter.controlId);
  const rows = await query.orderBy('control_id').orderBy('file').orderBy('version', 'desc').execute();
  const all = rows.map(fromRow);
  if (!filter.latest) return all;
  const seen = new Set<string>();
  return all.filter((e) => {
    const key = `${e.controlId}\u0000${e.file}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export async function getEvidence(store: StoreClient, id: bigint | number): Promise<Evidence> {
  const row = await store.db.selectFrom('evidence').selectAll().where('id', '=', BigInt(id)).executeTakeFirst();
  if (!row)
    throw new NotFoundError(`No evidence with id ${id}.`, {
      metaMessages: ['List the evidence with `bulwark evidence list`.'],
      docsPath: 'governance/evidence.md',
    });
  return fromRow(row);
}
