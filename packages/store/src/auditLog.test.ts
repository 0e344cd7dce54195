import { sql } from 'kysely';
import { beforeEach, expect, test } from 'vitest';
import { appendLog, genesisHash, getLogHead, hashLogEntry, listLog, verifyLog } from './auditLog.ts';
import { upsertContract } from './registry.ts';
import { withTransaction } from './store.ts';
import { describeStore } from './testing.ts';

const t0 = new Date('2025-02-01T09:00:00.123Z');

describeStore('auditLog', (ctx) => {
  // Tampering happens through raw SQL, here only: each test starts from a clean five-entry log.
  beforeEach(async () => {
    await sql`delete from audit_log`.execute(ctx.store.db);
    for (let i = 1; i <= 5; i++)
      await appendLog(ctx.store, {
        actor: i % 2 ? 'alice' : 'bob',
        action: 'audit.add',
        payload: { n: i, files: [{ path: 'src/Vault.sol', hash: `h${i}` }] },
        at: new Date(t0.getTime() + i * 1000),
      });
  });

  test('default: entries chain from genesis with gap-free seqs, and verify', async () => {
    const entries = await listLog(ctx.store);
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(entries[0]?.prevHash).toBe(genesisHash);
    for (let i = 1; i < entries.length; i++) expect(entries[i]?.prevHash).toBe(entries[i - 1]?.hash);
    for (const entry of entries) expect(hashLogEntry(entry)).toBe(entry.hash);
    expect(await verifyLog(ctx.store)).toEqual({ ok: true, entries: 5, head: { seq: 5, hash: entries[4]?.hash } });
    expect(await getLogHead(ctx.store)).toEqual({ seq: 5, hash: entries[4]?.hash });
  });

  test('behavior: the hash covers the payload, not its key order', async () => {
    const a = await appendLog(ctx.store, {
      actor: 'x',
      action: 'y',
      payload: { b: 1, a: { d: 2, c: [3, { f: 4, e: 5 }] } },
    });
    const [read] = await listLog(ctx.store, { afterSeq: a.seq - 1 });
    expect(read?.payload).toEqual({ a: { c: [3, { e: 5, f: 4 }], d: 2 }, b: 1 });
    expect(hashLogEntry({ ...a, payload: { a: { c: [3, { e: 5, f: 4 }], d: 2 }, b: 1 } })).toBe(a.hash);
    expect(hashLogEntry({ ...a, payload: { a: { c: [3, { e: 5, f: 4 }], d: 2 }, b: 2 } })).not.toBe(a.hash);
    expect(await verifyLog(ctx.store)).toMatchObject({ ok: true, entries: 6 });
  });

  test('error: an edited payload is found at its seq', async () => {
    await sql`update audit_log set payload = '{"n": 3, "files": []}'::jsonb where seq = 3`.execute(ctx.store.db);
    expect(await verifyLog(ctx.store)).toMatchObject({ ok: false, seq: 3, reason: 'edited', entries: 2 });
  });

  test('error: an edited actor or time is found too', async () => {
    await sql`update audit_log set at = at + interval '1 second' where seq = 2`.execute(ctx.store.db);
    expect(await verifyLog(ctx.store)).toMatchObject({ ok: false, seq: 2, reason: 'edited' });
  });

  test('error: an edit re-hashed to look consistent is caught by the next entry', async () => {
    const [entry] = await listLog(ctx.store, { afterSeq: 1, limit: 1 });
    const forged = { ...entry!, payload: { n: 2, files: [] } };
    const hash = hashLogEntry(forged);
    await sql`update audit_log set payload = '{"n": 2, "files": []}'::jsonb, hash = ${hash} where seq = 2`.execute(
      ctx.store.db,
    );
    const result = await verifyLog(ctx.store);
    expect(result).toMatchObject({ ok: false, seq: 2, reason: 'edited' });
    expect(result.ok || result.message).toMatch(/Entry 2 was rewritten and re-hashed/);
  });

  test('error: a deleted entry is found at the missing seq', async () => {
    await sql`delete from audit_log where seq = 4`.execute(ctx.store.db);
    const result = await verifyLog(ctx.store);
    expect(result).toMatchObject({ ok: false, seq: 4, reason: 'deleted', entries: 3 });
    expect(result.ok || result.message).toMatch(/Entry 4 is missing/);
  });

  test('error: swapped entries are found as reordered', async () => {
    await sql`update audit_log set seq = 1000 where seq = 2`.execute(ctx.store.db);
    await sql`update audit_log set seq = 2 where seq = 3`.execute(ctx.store.db);
    await sql`update audit_log set seq = 3 where seq = 1000`.execute(ctx.store.db);
    const result = await verifyLog(ctx.store);
    expect(result).toMatchObject({ ok: false, seq: 2, reason: 'reordered' });
    expect(result.ok || result.message).toMatch(/Entry 2 holds the entry written as 3/);
  });

  test('error: a deleted entry whose successor was moved into its place', async () => {
    await sql`delete from audit_log where seq = 3`.execute(ctx.store.db);
    await sql`update audit_log set seq = 3 where seq = 4`.execute(ctx.store.db);
    expect(await verifyLog(ctx.store)).toMatchObject({ ok: false, seq: 3, reason: 'deleted' });
  });

  test('error: a cut tail is found against an anchor, and a re-hashed history too', async () => {
    const anchor = await getLogHead(ctx.store);
    await sql`delete from audit_log where seq >= 4`.execute(ctx.store.db);
    // Without an anchor a shorter log is indistinguishable from an honest one.
    expect(await verifyLog(ctx.store)).toMatchObject({ ok: true, entries: 3 });
    expect(await verifyLog(ctx.store, { anchor })).toMatchObject({ ok: false, seq: 4, reason: 'truncated' });

    // Rewrite and re-hash everything from entry 1 on: the anchor still catches it.
    await sql`delete from audit_log`.execute(ctx.store.db);
    for (let i = 1; i <= 5; i++)
      await appendLog(ctx.store, { actor: 'mallory', action: 'audit.add', payload: { n: i } });
    expect(await verifyLog(ctx.store, { anchor })).toMatchObject({ ok: false, seq: 5, reason: 'edited' });
  });

  test('behavior: pages through long logs', async () => {
    for (let i = 0; i < 12; i++) await appendLog(ctx.store, { actor: 'a', action: 'b', payload: [i] });
    expect(await verifyLog(ctx.store, { batchSize: 4 })).toMatchObject({ ok: true, entries: 17 });
    await sql`delete from audit_log where seq = 9`.execute(ctx.store.db);
    expect(await verifyLog(ctx.store, { batchSize: 4 })).toMatchObject({ ok: false, seq: 9, reason: 'deleted' });
  });

  test('behavior: concurrent appends stay gap-free and chained', async () => {
    await Promise.all(Array.from({ length: 5 }, () => sql`select pg_sleep(0.05)`.execute(ctx.store.db)));
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        appendLog(ctx.store, { actor: `w${i}`, action: 'gate.approve', payload: { i } }),
      ),
    );
    const entries = await listLog(ctx.store);
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(await verifyLog(ctx.store)).toMatchObject({ ok: true, entries: 25 });
  });

  test('behavior: an entry written in a transaction that fails is not kept', async () => {
    await expect(
      withTransaction(ctx.store, async (tx) => {
        await upsertContract(tx, { name: 'Vault', repoPath: 'src/Vault.sol' });
        await appendLog(tx, { actor: 'alice', action: 'registry.add', payload: { name: 'Vault' } });
        throw new Error('later step failed');
      }),
    ).rejects.toThrow('later step failed');
    expect((await getLogHead(ctx.store))?.seq).toBe(5);
    expect(await ctx.store.db.selectFrom('contracts_registry').selectAll().execute()).toEqual([]);
    expect(await verifyLog(ctx.store)).toMatchObject({ ok: true, entries: 5 });
  });
});
