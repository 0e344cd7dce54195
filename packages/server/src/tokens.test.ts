import { ConflictError, findApiToken, listApiTokens, listLog, verifyBoundRows } from '@bulwark/store';
import { describeStore } from '@bulwark/store/testing';
import { sql } from 'kysely';
import { expect, test } from 'vitest';
import { createApiToken, hashApiToken, roleAllows } from './tokens.ts';

describeStore('API tokens', (ctx) => {
  test('default: a token is a random secret stored only as its sha256, and its creation is logged without it', async () => {
    const store = await ctx.open();
    const { token, record } = await createApiToken(store, { name: 'ops', role: 'admin', actor: 'bulwark init' });
    const other = await createApiToken(store, { name: 'ci', role: 'viewer', actor: 'ops' });
    expect(token).toMatch(/^bwk_[A-Za-z0-9_-]{43}$/);
    expect(other.token).not.toBe(token);
    expect(record).toMatchObject({ name: 'ops', role: 'admin', hash: hashApiToken(token), revokedAt: null });
    expect(await findApiToken(store, hashApiToken(token))).toMatchObject({ name: 'ops' });
    expect(await findApiToken(store, hashApiToken(`${token}x`))).toBeUndefined();
    const stored = JSON.stringify(await store.db.selectFrom('api_tokens').selectAll().execute());
    const log = JSON.stringify(await listLog(store));
    for (const text of [stored, log]) expect(text).not.toContain(token.slice(4));
    expect((await listLog(store)).filter((e) => e.action === 'api-token.create')).toMatchObject([
      { actor: 'bulwark init', payload: { name: 'ops', role: 'admin' } },
      { actor: 'ops', payload: { name: 'ci', role: 'viewer' } },
    ]);
  });

  test('error: a name already taken is refused; a revoked token no longer authenticates', async () => {
    const store = await ctx.open();
    const { token } = await createApiToken(store, { name: 'ops', role: 'operator', actor: 'test' });
    await expect(createApiToken(store, { name: 'ops', role: 'admin', actor: 'test' })).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect(await listApiTokens(store)).toHaveLength(1);
    await sql`update api_tokens set revoked_at = now() where name = 'ops'`.execute(store.db);
    expect(await findApiToken(store, hashApiToken(token))).toBeUndefined();
  });

  test('error: a role raised outside Bulwark is caught by the bound-row check (bulwark log verify)', async () => {
    const store = await ctx.open();
    await createApiToken(store, { name: 'ci', role: 'viewer', actor: 'test' });
    expect((await verifyBoundRows(store)).ok).toBe(true);
    await sql`update api_tokens set role = 'admin' where name = 'ci'`.execute(store.db);
    const verified = await verifyBoundRows(store);
    expect(verified.ok).toBe(false);
    expect(verified.problems).toMatchObject([{ table: 'api_tokens', key: ['ci'], kind: 'edited' }]);
  });

  test('behavior: roles are ordered viewer < operator < approver < admin', () => {
    expect(roleAllows('admin', 'approver')).toBe(true);
    expect(roleAllows('approver', 'operator')).toBe(true);
    expect(roleAllows('operator', 'approver')).toBe(false);
    expect(roleAllows('viewer', 'operator')).toBe(false);
  });
});
