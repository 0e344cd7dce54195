import { type BoundRow, type LogEntry, listLog, type StoreClient } from '@bulwark/store';
import { LogFileError } from './errors.ts';

/** One line of an exported log: the entry as stored, time in ISO 8601. */
export type LogLine = {
  seq: number;
  at: string;
  actor: string;
  action: string;
  payload: unknown;
  prevHash: string;
  hash: string;
  /** The governance rows the entry wrote, with their digests; absent when none. */
  rows?: BoundRow[] | undefined;
};

export function toLogLine(entry: LogEntry): LogLine {
  return {
    seq: entry.seq,
    at: entry.at.toISOString(),
    actor: entry.actor,
    action: entry.action,
    payload: entry.payload,
    prevHash: entry.prevHash,
    hash: entry.hash,
    ...(entry.rows ? { rows: entry.rows } : {}),
  };
}

/**
 * Writes the whole log as JSON lines, in seq order, a batch at a time. Returns the count and the
 * head (last seq and hash) to keep as an anchor.
 */
export async function exportLog(
  store: StoreClient,
  write: (chunk: string) => void,
  options: { batchSize?: number | undefined } = {},
): Promise<{ entries: number; head: { seq: number; hash: string } | undefined }> {
  const batchSize = options.batchSize ?? 1000;
  let afterSeq = 0;
  let count = 0;
  let head: { seq: number; hash: string } | undefined;
  for (;;) {
    const batch = await listLog(store, { afterSeq, limit: batchSize });
    if (batch.length === 0) break;
    write(batch.map((entry) => `${JSON.stringify(toLogLine(entry))}\n`).join(''));
    count += batch.length;
    const last = batch.at(-1)!;
    head = { seq: last.seq, hash: last.hash };
    afterSeq = last.seq;
    if (batch.length < batchSize) break;
  }
  return { entries: count, head };
}

const hex64 = /^[0-9a-f]{64}$/;

/** Reads an exported log back; a line that is not an entry is an error naming its line number. */
export function parseLogJsonl(text: string, file = 'the log file'): LogEntry[] {
  const entries: LogEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    const where = `${file}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new LogFileError(`${where} is not JSON.`, {
        cause: error,
        metaMessages: ['Each line of an exported log is one JSON entry, as written by `bulwark log export`.'],
        docsPath: 'governance/log.md#export',
      });
    }
    const v = value as Partial<LogLine>;
    const problem =
      typeof value !== 'object' || value === null || Array.isArray(value)
        ? 'is not an object'
        : !Number.isSafeInteger(v.seq) || (v.seq as number) < 1
          ? 'has no positive integer seq'
          : typeof v.at !== 'string' || Number.isNaN(Date.parse(v.at))
            ? 'has no ISO time in at'
            : typeof v.actor !== 'string' || typeof v.action !== 'string'
              ? 'has no actor or action'
              : !('payload' in v)
                ? 'has no payload'
                : typeof v.prevHash !== 'string' ||
                    !hex64.test(v.prevHash) ||
                    typeof v.hash !== 'string' ||
                    !hex64.test(v.hash)
                  ? 'has no 64-hex prevHash and hash'
                  : v.rows !== undefined && !Array.isArray(v.rows)
                    ? 'has rows that are not a list'
                    : undefined;
    if (problem)
      throw new LogFileError(`${where} ${problem}: it is not a log entry.`, {
        metaMessages: ['Fields: seq, at, actor, action, payload, prevHash, hash.'],
        docsPath: 'governance/log.md#export',
      });
    entries.push({
      seq: v.seq!,
      at: new Date(v.at!),
      actor: v.actor!,
      action: v.action!,
      payload: v.payload,
      prevHash: v.prevHash!,
      hash: v.hash!,
      ...(v.rows ? { rows: v.rows } : {}),
    });
  }
  return entries;
}
