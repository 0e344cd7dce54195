import { createHash } from 'node:crypto';
import { type Selectable, sql } from 'kysely';
import { type BoundRow, takeChangedRows } from './boundRows.ts';
import { canonicalJson } from './json.ts';
import type { AuditLogTable } from './schema.ts';
import { type StoreClient, withTransaction } from './store.ts';

/** The `prev_hash` of the first entry. */
export const genesisHash = '0'.repeat(64);

/** Bump when the hashed material changes, so old entries stay verifiable under their version. */
const hashDomain = 'bulwark.audit_log.v1';
/** Entries that bind rows (see boundRows.ts) hash the rows too, under this domain. */
const hashDomainWithRows = 'bulwark.audit_log.v2';

export type LogEntry<TPayload = unknown> = {
  /** 1, 2, 3… without gaps. */
  seq: number;
  at: Date;
  actor: string;
  action: string;
  payload: TPayload;
  prevHash: string;
  /** sha256 over (seq, at, actor, action, canonical JSON payload, prevHash[, rows]), hex. */
  hash: string;
  /** The governance rows this entry wrote, with their digests (see boundRows.ts); absent when none. */
  rows?: BoundRow[] | undefined;
};

/**
 * The hash of an entry. Exported so that an exported log can be checked without the store.
 * The material is a JSON array of strings, so no field can bleed into the next.
 */
export function hashLogEntry(entry: Omit<LogEntry, 'hash'>): string {
  const rows = entry.rows && entry.rows.length > 0 ? [canonicalJson(entry.rows)] : [];
  const material = JSON.stringify([
    rows.length > 0 ? hashDomainWithRows : hashDomain,
    String(entry.seq),
    entry.at.toISOString(),
    entry.actor,
    entry.action,
    canonicalJson(entry.payload),
    entry.prevHash,
    ...rows,
  ]);
  return createHash('sha256').update(material, 'utf8').digest('hex');
}

function fromRow<TPayload>(row: Selectable<AuditLogTable>): LogEntry<TPayload> {
  const rows = row.bound_rows as BoundRow[] | undefined;
  return {
    seq: Number(row.seq),
    at: row.at,
    actor: row.actor,
    action: row.action,
    payload: row.payload as TPayload,
    prevHash: row.prev_hash,
    hash: row.hash,
    ...(rows && rows.length > 0 ? { rows } : {}),
  };
}

export type AppendLogParameters<TPayload> = {
  /** Who did it: a person, a key id, `monitor`. */
  actor: string;
  /** What was done, dotted: `audit.add`, `gate.approve`, `incident.transition`. */
  action: string;
  payload?: TPayload | undefined;
  at?: Date | undefined;
  /** Rows to bind besides those changed in this transaction (which are always bound). */
  rows?: BoundRow[] | undefined;
};

/**
 * Appends an entry to the hash chain. Appends are serialised by a table lock (which readers do
 * not wait for), so the sequence has no gaps and each entry chains to the one before, even with
 * several writers on PostgreSQL. Inside `withTransaction`, the entry commits with the change it records.
 */
export async function appendLog<TPayload = unknown>(
  store: StoreClient,
  parameters: AppendLogParameters<TPayload>,
): Promise<LogEntry<TPayload>> {
  // What is stored and hashed is the JSON form, so what is read back hashes the same.
  const payload = JSON.parse(canonicalJson(parameters.payload ?? {})) as TPayload;
  const at = parameters.at ?? new Date();
  return withTransaction(store, async (tx) => {
    await sql`lock table audit_log in share row exclusive mode`.execute(tx.db);
    const last = await tx.db
      .selectFrom('audit_log')
      .select(['seq', 'hash'])
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    const rows = [...(parameters.rows ?? []), ...(await takeChangedRows(tx))];
    const entry = {
      seq: last ? Number(last.seq) + 1 : 1,
      at,
      actor: parameters.actor,
      action: parameters.action,
      payload,
      prevHash: last?.hash ?? genesisHash,
      ...(rows.length > 0 ? { rows } : {}),
    };
    const hash = hashLogEntry(entry);
    await tx.db
      .insertInto('audit_log')
      .values({
        seq: entry.seq,
        at,
        actor: entry.actor,
        action: entry.action,
        payload: canonicalJson(payload),
        prev_hash: entry.prevHash,
        hash,
        ...(rows.length > 0 ? { bound_rows: canonicalJson(rows) } : {}),
      })
      .execute();
    return { ...entry, hash };
  });
}

/** Entries in order, from `afterSeq` (exclusive). */
export async function listLog<TPayload = unknown>(
  store: StoreClient,
  parameters: { afterSeq?: number | undefined; limit?: number | undefined; action?: string | undefined } = {},
): Promise<LogEntry<TPayload>[]> {
  let query = store.db
    .selectFrom('audit_log')
    .selectAll()
    .where('seq', '>', BigInt(parameters.afterSeq ?? 0));
  if (parameters.action) query = query.where('action', '=', parameters.action);
  if (parameters.limit !== undefined) query = query.limit(parameters.limit);
  const rows = await query.orderBy('seq').execute();
  return rows.map((row) => fromRow<TPayload>(row));
}

/** The last entry's seq and hash: publish or sign it, and pass it to verifyLog to detect a cut tail. */
export async function getLogHead(store: StoreClient): Promise<{ seq: number; hash: string } | undefined> {
  const row = await store.db
    .selectFrom('audit_log')
    .select(['seq', 'hash'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && { seq: Number(row.seq), hash: row.hash };
}

export type LogBreak = 'edited' | 'deleted' | 'reordered' | 'truncated';

export type VerifyLogReturnType =
  | { ok: true; entries: number; head: { seq: number; hash: string } | undefined }
  | { ok: false; entries: number; seq: number; reason: LogBreak; message: string };

export type VerifyLogParameters = {
  /**
   * A head recorded earlier (from getLogHead or appendLog). Without it, entries cut from the end
   * of the log, or a log rewritten and re-hashed from some point on, cannot be told from a shorter log.
   */
  anchor?: { seq: number; hash: string } | undefined;
  /** Rows read per query. */
  batchSize?: number | undefined;
};

/**
 * Re-hashes the whole chain and reports the first entry that breaks it, and how:
 * - `deleted`: a seq is missing (or the entry before a displaced one is gone);
 * - `reordered`: an entry is intact but sits at another seq than the one it was written at;
 * - `edited`: an entry's content no longer matches its hash, or was re-hashed so that the next
 *   entry no longer chains to it;
 * - `truncated`: the log is shorter than the anchor.
 */
export async function verifyLog(
  store: StoreClient,
  parameters: VerifyLogParameters = {},
): Promise<VerifyLogReturnType> {
  const batchSize = parameters.batchSize ?? 1000;
  let expectedSeq = 1;
  let prevHash = genesisHash;
  let checked = 0;
  const broken = (seq: number, reason: LogBreak, message: string): VerifyLogReturnType => ({
    ok: false,
    // The entries before the broken one: an entry re-hashed is found at the next, after it was counted.
    entries: Math.min(checked, seq - 1),
    seq,
    reason,
    message,
  });

  for (;;) {
    const rows = await store.db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>=', BigInt(expectedSeq))
      .orderBy('seq')
      .limit(batchSize)
      .execute();
    for (const row of rows) {
      const entry = fromRow(row);
      if (entry.seq > expectedSeq) {
        const missing = entry.seq - 1 === expectedSeq ? `${expectedSeq}` : `${expectedSeq} to ${entry.seq - 1}`;
        return broken(
          expectedSeq,
          'deleted',
          `Entry ${missing} is missing: the log jumps from ${expectedSeq - 1} to ${entry.seq}.`,
        );
      }
      if (hashLogEntry(entry) !== entry.hash) {
        const writtenAt = await originalSeq(store, entry);
        if (writtenAt === undefined)
          return broken(entry.seq, 'edited', `Entry ${entry.seq} was changed: its content no longer matches its hash.`);
        const predecessorKept =
          entry.prevHash === genesisHash ||
          (await store.db
            .selectFrom('audit_log')
            .select('seq')
            .where('hash', '=', entry.prevHash)
            .executeTakeFirst()) !== undefined;
        if (!predecessorKept)
          return broken(
            writtenAt - 1,
            'deleted',
            `Entry ${writtenAt - 1} is gone: entry ${writtenAt}, which followed it, was moved to seq ${entry.seq}.`,
          );
        return broken(
          entry.seq,
          'reordered',
          `Entry ${entry.seq} holds the entry written as ${writtenAt}: entries were moved.`,
        );
      }
      if (entry.prevHash !== prevHash) {
        if (entry.seq === 1)
          return broken(1, 'edited', 'Entry 1 does not start the chain: it was forged or the log was rewritten.');
        return broken(
          entry.seq - 1,
          'edited',
          `Entry ${entry.seq - 1} was rewritten and re-hashed: entry ${entry.seq} was chained to a different hash.`,
        );
      }
      prevHash = entry.hash;
      expectedSeq = entry.seq + 1;
      checked++;
    }
    if (rows.length < batchSize) break;
  }

  const anchor = parameters.anchor;
  if (anchor) {
    if (checked < anchor.seq)
      return broken(
        checked + 1,
        'truncated',
        `The log ends at entry ${checked} but had reached entry ${anchor.seq}: entries from ${checked + 1} on were removed.`,
      );
    const atAnchor = await store.db
      .selectFrom('audit_log')
      .select('hash')
      .where('seq', '=', BigInt(anchor.seq))
      .executeTakeFirst();
    if (atAnchor?.hash !== anchor.hash)
      return broken(
        anchor.seq,
        'edited',
        `Entry ${anchor.seq} is not the one anchored: the log was rewritten and re-hashed up to or past it.`,
      );
  }
  return { ok: true, entries: checked, head: checked === 0 ? undefined : { seq: checked, hash: prevHash } };
}

/**
 * The seq an intact entry was written at, when it now sits elsewhere. The seq is part of the
 * hash, so the candidates are tried; this runs only once the log is already known to be broken.
 */
async function originalSeq(store: StoreClient, entry: LogEntry): Promise<number | undefined> {
  const max = await store.db
    .selectFrom('audit_log')
    .select((eb) => eb.fn.max('seq').as('max'))
    .executeTakeFirst();
  const last = Math.min(Number(max?.max ?? 0) + 1, 10_000_000);
  for (let seq = 1; seq <= last; seq++) {
    if (seq !== entry.seq && hashLogEntry({ ...entry, seq }) === entry.hash) return seq;
  }
  return undefined;
}
