import { sql } from 'kysely';
import { expect, test } from 'vitest';
import { appendLog } from './auditLog.ts';
import { insertRisk } from './risks.ts';
import { withTransaction } from './store.ts';
import { describeStore } from './testing.ts';
import { verifyStore } from './verifyStore.ts';

describeStore('verifyStore', (ctx) => {
  const risk = (id: string) =>
    withTransaction(ctx.store, async (tx) => {
      await insertRisk(tx, {
        id,
        threat: 'key theft',
        asset: 'hot wallet',
        likelihood: 2,
        impact: 5,
        owner: 'alice',
        treatment: 'mitigate',
      });
      await appendLog(tx, { actor: 'alice', action: 'risk.add', payload: { id } });
    });

  test('answers again from memory while nothing changed, and anew after a write through Bulwark', async () => {
    await risk('R-1');
    const first = await verifyStore(ctx.store);
    expect(first.log.ok && first.state.ok).toBe(true);
    expect(await verifyStore(ctx.store)).toBe(first);
    await risk('R-2');
    const second = await verifyStore(ctx.store);
    expect(second).not.toBe(first);
    expect(second.state).toMatchObject({ ok: true, rows: first.state.rows + 1 });
    expect(second.log.ok && second.log.entries).toBeGreaterThan(first.log.ok ? first.log.entries : 0);
  });

  test('sees a bound row edited outside Bulwark after a clean answer, and the edit undone', async () => {
    await risk('R-3');
    expect((await verifyStore(ctx.store)).state.ok).toBe(true);
    await sql`update risks set owner = 'mallory' where id = 'R-3'`.execute(ctx.store.db);
    const edited = await verifyStore(ctx.store);
    expect(edited.state.ok).toBe(false);
    expect(edited.state.problems).toContainEqual(
      expect.objectContaining({ table: 'risks', key: ['R-3'], kind: 'edited' }),
    );
    await sql`update risks set owner = 'alice' where id = 'R-3'`.execute(ctx.store.db);
    expect((await verifyStore(ctx.store)).state.ok).toBe(true);
  });

  test('sees a bound row deleted outside Bulwark', async () => {
    await risk('R-4');
    expect((await verifyStore(ctx.store)).state.ok).toBe(true);
    await sql`delete from risks where id = 'R-4'`.execute(ctx.store.db);
    expect((await verifyStore(ctx.store)).state.problems).toContainEqual(
      expect.objectContaining({ table: 'risks', key: ['R-4'], kind: 'deleted' }),
    );
  });

  test('sees an old log entry edited after a clean answer', async () => {
    await risk('R-5');
    expect((await verifyStore(ctx.store)).log.ok).toBe(true);
    await sql`update audit_log set payload = '{"id": "R-0"}'::jsonb where seq = 1`.execute(ctx.store.db);
    expect(await verifyStore(ctx.store)).toMatchObject({ log: { ok: false, seq: 1, reason: 'edited' } });
  });
});
