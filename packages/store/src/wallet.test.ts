import { expect, test } from 'vitest';
import { ConflictError } from './errors.ts';
import { withTransaction } from './store.ts';
import { describeStore } from './testing.ts';
import {
  addWalletPolicyApproval,
  addWalletRequestApproval,
  closeWalletRequest,
  getActiveWalletPolicy,
  getWalletRequest,
  insertWalletPolicy,
  insertWalletRequest,
  listWalletRequestApprovals,
  listWalletRequests,
  lockVelocityCounters,
  markWalletPolicyApproved,
  releaseVelocity,
  reserveVelocity,
  velocityUsed,
} from './wallet.ts';

const t0 = new Date('2026-01-10T00:00:00Z');
const minutes = (n: number) => new Date(t0.getTime() + n * 60_000);

describeStore('wallet', (ctx) => {
  const request = (id: string, state: 'allowed' | 'pending', expiresAt: Date | null = null) =>
    insertWalletRequest(ctx.store, {
      id,
      digest: `0x${id.padStart(64, '0')}`,
      request: { kind: 'withdrawal', amount: '5' },
      initiator: 'alice',
      source: 'hot',
      chainId: 1,
      state,
      decision: { outcome: state === 'allowed' ? 'allow' : 'require-approval' },
      policyId: null,
      createdAt: t0,
      expiresAt,
    });

  test('default: the active policy is the last approved one whose time has come', async () => {
    await insertWalletPolicy(ctx.store, { id: 'p1', document: { version: 1 }, proposedBy: 'heidi', proposedAt: t0 });
    await insertWalletPolicy(ctx.store, {
      id: 'p2',
      document: { version: 1, n: 2 },
      proposedBy: 'heidi',
      proposedAt: t0,
    });
    await expect(
      insertWalletPolicy(ctx.store, { id: 'p1', document: { version: 1 }, proposedBy: 'heidi' }),
    ).rejects.toThrow(ConflictError);
    expect(await getActiveWalletPolicy(ctx.store, t0)).toBeUndefined();
    await addWalletPolicyApproval(ctx.store, { policyId: 'p1', approver: 'ivan', at: t0 });
    await expect(addWalletPolicyApproval(ctx.store, { policyId: 'p1', approver: 'ivan' })).rejects.toThrow(
      /ivan has already approved policy p1/,
    );
    await markWalletPolicyApproved(ctx.store, {
      id: 'p1',
      effective: { version: 1, e: 1 },
      approvedAt: t0,
      appliesAt: t0,
    });
    await markWalletPolicyApproved(ctx.store, {
      id: 'p2',
      effective: { version: 1, e: 2 },
      approvedAt: minutes(1),
      appliesAt: minutes(60),
    });
    expect(await getActiveWalletPolicy(ctx.store, minutes(30))).toMatchObject({ id: 'p1', effective: { e: 1 } });
    expect(await getActiveWalletPolicy(ctx.store, minutes(60))).toMatchObject({ id: 'p2', state: 'approved' });
  });

  test('behavior: requests close once, and one vote per approver', async () => {
    await request('r1', 'pending', minutes(120));
    await addWalletRequestApproval(ctx.store, { requestId: 'r1', approver: 'carol', digest: '0xd', at: t0 });
    await expect(
      addWalletRequestApproval(ctx.store, { requestId: 'r1', approver: 'carol', digest: '0xd', at: t0 }),
    ).rejects.toThrow(ConflictError);
    expect(await listWalletRequestApprovals(ctx.store, 'r1')).toEqual([
      { approver: 'carol', digest: '0xd', approvedAt: t0 },
    ]);
    expect(await closeWalletRequest(ctx.store, { id: 'r1', state: 'approved', at: minutes(1) })).toBe(true);
    expect(await closeWalletRequest(ctx.store, { id: 'r1', state: 'rejected', at: minutes(2) })).toBe(false);
    expect(await getWalletRequest(ctx.store, 'r1')).toMatchObject({
      state: 'approved',
      closedAt: minutes(1),
      chainId: 1,
    });
    expect((await listWalletRequests(ctx.store, { state: 'approved' })).map((r) => r.id)).toContain('r1');
  });

  test('behavior: velocity counts live reservations in the window only', async () => {
    await request('v1', 'allowed');
    await request('v2', 'pending', minutes(120));
    await request('v3', 'pending', minutes(10));
    await withTransaction(ctx.store, async (tx) => {
      await lockVelocityCounters(tx, ['k']);
      for (const id of ['v1', 'v2', 'v3'])
        await reserveVelocity(tx, { requestId: id, amounts: new Map([['k', 100n]]), at: t0 });
    });
    const used = (at: Date, since = minutes(-60)) => velocityUsed(ctx.store, { key: 'k', since, at });
    expect(await used(minutes(5))).toBe(300n);
    expect(await used(minutes(11))).toBe(200n); // v3 expired unapproved
    await releaseVelocity(ctx.store, { requestId: 'v2', at: minutes(12) });
    expect(await used(minutes(12))).toBe(100n);
    expect(await used(minutes(12), t0)).toBe(0n); // outside the window
    await expect(lockVelocityCounters(ctx.store, ['k'])).rejects.toThrow(/inside a transaction/);
  });

  test('behavior: concurrent check-and-reserve under the counter lock never overspends', async () => {
    const limit = 1000n;
    const attempts = Array.from({ length: 60 }, (_, i) => i);
    const outcomes = await Promise.all(
      attempts.map((i) =>
        withTransaction(ctx.store, async (tx) => {
          await lockVelocityCounters(tx, ['race']);
          const spent = await velocityUsed(tx, { key: 'race', since: minutes(-60), at: t0 });
          if (spent + 70n > limit) return false;
          await insertWalletRequest(tx, {
            id: `race-${i}`,
            digest: '0x0',
            request: {},
            initiator: 'alice',
            source: 'hot',
            chainId: 1,
            state: 'allowed',
            decision: {},
            policyId: null,
            createdAt: t0,
            expiresAt: null,
          });
          await reserveVelocity(tx, { requestId: `race-${i}`, amounts: new Map([['race', 70n]]), at: t0 });
          return true;
        }),
      ),
    );
    expect(outcomes.filter(Boolean)).toHaveLength(14);
    expect(await velocityUsed(ctx.store, { key: 'race', since: minutes(-60), at: t0 })).toBe(980n);
  });
});
