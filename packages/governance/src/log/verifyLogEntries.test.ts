import { genesisHash, hashLogEntry, type LogEntry } from '@bulwark/store';
import { describe, expect, test } from 'vitest';
import { parseAnchor } from './anchor.ts';
import { LogAnchorError, LogFileError } from './errors.ts';
import { parseLogJsonl, toLogLine } from './logJsonl.ts';
import { verifyLogEntries } from './verifyLogEntries.ts';

function chain(n: number): LogEntry[] {
  const entries: LogEntry[] = [];
  for (let seq = 1; seq <= n; seq++) {
    const entry = {
      seq,
      at: new Date(Date.UTC(2025, 0, 1, 0, 0, seq)),
      actor: seq % 2 ? 'alice' : 'bob',
      action: 'risk.add',
      payload: { id: `R-${seq}`, score: seq },
      prevHash: entries.at(-1)?.hash ?? genesisHash,
    };
    entries.push({ ...entry, hash: hashLogEntry(entry) });
  }
  return entries;
}

const jsonl = (entries: LogEntry[]) => entries.map((e) => JSON.stringify(toLogLine(e))).join('\n');

describe('verifyLogEntries', () => {
  test('default: an intact chain verifies and survives a JSONL round trip', () => {
    const entries = chain(5);
    const read = parseLogJsonl(`${jsonl(entries)}\n`);
    expect(read).toEqual(entries);
    expect(verifyLogEntries(read)).toEqual({ ok: true, entries: 5, head: { seq: 5, hash: entries[4]!.hash } });
    expect(verifyLogEntries([])).toEqual({ ok: true, entries: 0, head: undefined });
  });

  test('error: an edited entry', () => {
    const entries = chain(5);
    entries[2] = { ...entries[2]!, payload: { id: 'R-3', score: 1 } };
    expect(verifyLogEntries(entries)).toMatchObject({ ok: false, seq: 3, reason: 'edited', entries: 2 });
  });

  test('error: an edit re-hashed is caught at the next entry', () => {
    const entries = chain(5);
    const forged = { ...entries[1]!, actor: 'mallory' };
    entries[1] = { ...forged, hash: hashLogEntry(forged) };
    expect(verifyLogEntries(entries)).toMatchObject({ ok: false, seq: 2, reason: 'edited', entries: 1 });
  });

  test('error: a deleted line', () => {
    const entries = chain(5);
    entries.splice(3, 1);
    expect(verifyLogEntries(entries)).toMatchObject({
      ok: false,
      seq: 4,
      reason: 'deleted',
      message: expect.stringMatching(/Entry 4 is missing/),
    });
  });

  test('error: swapped lines', () => {
    const entries = chain(5);
    [entries[1], entries[2]] = [entries[2]!, entries[1]!];
    expect(verifyLogEntries(entries)).toMatchObject({ ok: false, seq: 2, reason: 'reordered' });
  });

  test('error: a deletion hidden by renumbering the rest', () => {
    const entries = chain(5);
    entries.splice(2, 1);
    const renumbered = entries.map((e, i) => ({ ...e, seq: i + 1 }));
    expect(verifyLogEntries(renumbered)).toMatchObject({
      ok: false,
      seq: 3,
      reason: 'deleted',
      message: expect.stringMatching(/Entry 3 is gone: entry 4, which followed it, was renumbered 3/),
    });
  });

  test('error: a duplicated line', () => {
    const entries = chain(3);
    entries.push(entries[1]!);
    expect(verifyLogEntries(entries)).toMatchObject({ ok: false, seq: 2, reason: 'reordered' });
  });

  test('behavior: an anchor catches a cut tail and a rewritten log', () => {
    const entries = chain(5);
    const anchor = { seq: 5, hash: entries[4]!.hash };
    expect(verifyLogEntries(entries, { anchor }).ok).toBe(true);
    expect(verifyLogEntries(entries.slice(0, 3), { anchor })).toMatchObject({ ok: false, seq: 4, reason: 'truncated' });
    expect(verifyLogEntries(chain(5).slice(0, 3))).toMatchObject({ ok: true });
    const other = chain(6);
    expect(verifyLogEntries(other, { anchor: { seq: 5, hash: 'f'.repeat(64) } })).toMatchObject({
      ok: false,
      seq: 5,
      reason: 'edited',
    });
  });

  test('error: a line that is not an entry names the file and line', () => {
    const text = `${jsonl(chain(2))}\n{"seq":3}\n`;
    expect(() => parseLogJsonl(text, 'log.jsonl')).toThrow(LogFileError);
    expect(() => parseLogJsonl(text, 'log.jsonl')).toThrow(/log\.jsonl:3 has no ISO time/);
    expect(() => parseLogJsonl('not json', 'log.jsonl')).toThrow(/log\.jsonl:1 is not JSON/);
  });

  test('behavior: anchors parse from SEQ:HASH', () => {
    expect(parseAnchor(`7:${'A'.repeat(64)}`)).toEqual({ seq: 7, hash: 'a'.repeat(64) });
    expect(() => parseAnchor('7:abc')).toThrow(LogAnchorError);
    expect(() => parseAnchor(`0:${'a'.repeat(64)}`)).toThrow(/not SEQ:HASH/);
  });
});
