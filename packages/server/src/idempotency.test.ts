import { createHash } from 'node:crypto';
import { canonicalJson, claimIdempotencyKey } from '@bulwark/store';
import { describeStore } from '@bulwark/store/testing';
import { expect, test } from 'vitest';
import { idempotencyLeaseMs, runIdempotent } from './idempotency.ts';

describeStore('runIdempotent', (ctx) => {
  const scope = { token: 'olga', route: 'submitWalletRequest', key: 'payout-1' };
  const request = { body: { amount: '500' } };
  const fingerprint = createHash('sha256').update(canonicalJson(request)).digest('hex');

  test('behavior: a key left running by a server that died is run again once its lease ran out, once; retries then get that answer', async () => {
    const diedAt = new Date('2026-12-06T10:00:00Z');
    // A replica claimed the key and was killed before answering: nothing renews its lease.
    await claimIdempotencyKey(ctx.store, {
      ...scope,
      fingerprint,
      now: diedAt,
      leaseUntil: new Date(diedAt.getTime() + idempotencyLeaseMs),
    });
    let writes = 0;
    const write = async () => {
      writes++;
      return { status: 201, body: { id: `r-${writes}` } };
    };
    const afterLease = new Date(diedAt.getTime() + idempotencyLeaseMs);
    // Two retries on two servers at once, after the lease: one runs the request, the other waits for its answer.
    const [first, second] = await Promise.all([
      runIdempotent(ctx.store, scope, request, write, afterLease),
      runIdempotent(ctx.store, scope, request, write, afterLease),
    ]);
    expect(writes).toBe(1);
    expect([first, second].map((r) => r.replayed).sort()).toEqual([false, true]);
    expect(first.body).toEqual({ id: 'r-1' });
    expect(second.body).toEqual({ id: 'r-1' });
    // The answer is kept for the day, not for the lease.
    const later = await runIdempotent(ctx.store, scope, request, write, new Date(afterLease.getTime() + 3_600_000));
    expect(later).toMatchObject({ status: 201, body: { id: 'r-1' }, replayed: true });
    expect(writes).toBe(1);
  });
});
