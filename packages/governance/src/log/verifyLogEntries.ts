import { genesisHash, hashLogEntry, type LogEntry, type VerifyLogReturnType } from '@bulwark/store';
import type { LogAnchor } from './anchor.ts';

/**
 * Checks an exported log without the store, as `verifyLog` checks the table: entries in file
 * order must run 1, 2, 3… each hashing to its `hash` (via `hashLogEntry`) and chaining to the one
 * before. The first break is reported with its seq and how: `edited`, `deleted`, `reordered`
 * (lines moved, or an intact entry renumbered), `truncated` (shorter than the anchor).
 */
export function verifyLogEntries(
  entries: readonly LogEntry[],
  options: { anchor?: LogAnchor | undefined } = {},
): VerifyLogReturnType {
  let expectedSeq = 1;
  let prevHash = genesisHash;
  let checked = 0;
  const broken = (seq: number, reason: 'edited' | 'deleted' | 'reordered' | 'truncated', message: string) =>
    ({ ok: false, entries: Math.min(checked, seq - 1), seq, reason, message }) as const;
  const hashes = new Set(entries.map((e) => e.hash));
  const maxSeq = entries.reduce((max, e) => Math.max(max, e.seq), 0);

  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    if (entry.seq < expectedSeq)
      return broken(
        entry.seq,
        'reordered',
        `Entry ${entry.seq} comes again after entry ${expectedSeq - 1}: lines were moved or copied.`,
      );
    if (entry.seq > expectedSeq) {
      const later = entries.findIndex((e, j) => j > i && e.seq === expectedSeq);
      if (later >= 0)
        return broken(
          expectedSeq,
          'reordered',
          `Entry ${expectedSeq} comes after entry ${entry.seq}: lines were moved.`,
        );
      const missing = entry.seq - 1 === expectedSeq ? `${expectedSeq}` : `${expectedSeq} to ${entry.seq - 1}`;
      return broken(
        expectedSeq,
        'deleted',
        `Entry ${missing} is missing: the log jumps from ${expectedSeq - 1} to ${entry.seq}.`,
      );
    }
    if (hashLogEntry(entry) !== entry.hash) {
      let writtenAt: number | undefined;
      for (let seq = 1; seq <= maxSeq + 1 && writtenAt === undefined; seq++)
        if (seq !== entry.seq && hashLogEntry({ ...entry, seq }) === entry.hash) writtenAt = seq;
      if (writtenAt === undefined)
        return broken(entry.seq, 'edited', `Entry ${entry.seq} was changed: its content no longer matches its hash.`);
      if (entry.prevHash !== genesisHash && !hashes.has(entry.prevHash))
        return broken(
          writtenAt - 1,
          'deleted',
          `Entry ${writtenAt - 1} is gone: entry ${writtenAt}, which followed it, was renumbered ${entry.seq}.`,
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
    expectedSeq++;
    checked++;
  }

  const anchor = options.anchor;
  if (anchor) {
    if (checked < anchor.seq)
      return broken(
        checked + 1,
        'truncated',
        `The log ends at entry ${checked} but had reached entry ${anchor.seq}: entries from ${checked + 1} on were removed.`,
      );
    if (entries[anchor.seq - 1]?.hash !== anchor.hash)
      return broken(
        anchor.seq,
        'edited',
        `Entry ${anchor.seq} is not the one anchored: the log was rewritten and re-hashed up to or past it.`,
      );
  }
  return { ok: true, entries: checked, head: checked === 0 ? undefined : { seq: checked, hash: prevHash } };
}
