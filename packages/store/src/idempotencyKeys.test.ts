import { expect, test } from 'vitest';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  releaseIdempotencyKey,
  renewIdempotencyKey,
} from './idempotencyKeys.ts';
import { describeStore } from './testing.ts';

describeStore('idempotency keys', (ctx) => {
  const scope = { token: 'olga', route: 'submitWalletRequest', key: 'k-1' };
  const at = (iso: string) => new Date(iso);

  test('default: a key is claimed once; later claims see its fingerprint, then its answer', async () => {
    const claim = (now: string) =>
      claimIdempotencyKey(ctx.store, {
        ...scope,
        fingerprint: 'f1',
        now: at(now),
        leaseUntil: at('2026-01-01T00:05:00Z'),
      });
    const first = await claim('2026-01-01T00:00:00Z');
    expect(first).toEqual({ claimed: true, claimedAt: at('2026-01-01T00:00:00Z') });
    expect(await claim('2026-01-01T00:01:00Z')).toEqual({ claimed: false, fingerprint: 'f1', answer: undefined });
    const kept = await completeIdempotencyKey(ctx.store, {
      ...scope,
      claimedAt: at('2026-01-01T00:00:00Z'),
      status: 201,
      body: { id: 'r-1', amount: '5' },
      expiresAt: at('2026-01-02T00:00:00Z'),
    });
    expect(kept).toBe(true);
    // The answer is kept past the lease, until its own expiry.
    expect(await claim('2026-01-01T12:00:00Z')).toEqual({
      claimed: false,
      fingerprint: 'f1',
      answer: { status: 201, body: { id: 'r-1', amount: '5' } },
    });
    // Another token's key of the same text is its own.
    expect(
      await claimIdempotencyKey(ctx.store, {
        ...scope,
        token: 'alice',
        fingerprint: 'f2',
        leaseUntil: at('2026-01-01T00:03:00Z'),
        now: at('2026-01-01T00:02:00Z'),
      }),
    ).toMatchObject({ claimed: true });
  });

  test('behavior: an expired key is deleted and claimed anew; a released key is free again', async () => {
    const next = { ...scope, key: 'k-2' };
    const claim = (fingerprint: string, now: string) =>
      claimIdempotencyKey(ctx.store, {
        ...next,
        fingerprint,
        now: at(now),
        leaseUntil: new Date(at(now).getTime() + 60_000),
      });
    expect(await claim('f1', '2026-02-01T00:00:00Z')).toMatchObject({ claimed: true });
    await completeIdempotencyKey(ctx.store, {
      ...next,
      claimedAt: at('2026-02-01T00:00:00Z'),
      status: 200,
      body: [1],
      expiresAt: at('2026-02-02T00:00:00Z'),
    });
    expect((await claim('f9', '2026-02-01T12:00:00Z')).claimed).toBe(false);
    expect(await claim('f9', '2026-02-02T00:00:00Z')).toMatchObject({ claimed: true });
    await releaseIdempotencyKey(ctx.store, { ...next, claimedAt: at('2026-02-02T00:00:00Z') });
    expect(await claim('f3', '2026-02-02T00:00:01Z')).toMatchObject({ claimed: true });
  });

  test('behavior: a running claim whose lease ran out (its server died) is taken over; the old claimer can neither answer nor release it', async () => {
    const next = { ...scope, key: 'k-3' };
    const claim = (now: string, leaseUntil: string) =>
      claimIdempotencyKey(ctx.store, { ...next, fingerprint: 'f1', now: at(now), leaseUntil: at(leaseUntil) });
    const dead = { ...next, claimedAt: at('2026-03-01T00:00:00Z') };
    expect(await claim('2026-03-01T00:00:00Z', '2026-03-01T00:01:00Z')).toMatchObject({ claimed: true });
    // Within the lease the key is in use.
    expect(await claim('2026-03-01T00:00:59Z', '2026-03-01T00:01:59Z')).toMatchObject({ claimed: false });
    // At its end, the next claim takes it.
    const taken = await claim('2026-03-01T00:01:00Z', '2026-03-01T00:02:00Z');
    expect(taken).toEqual({ claimed: true, claimedAt: at('2026-03-01T00:01:00Z') });
    const live = { ...next, claimedAt: at('2026-03-01T00:01:00Z') };
    // The old claimer (it was only slow, say) finds its claim gone: no answer stored, nothing released.
    expect(await renewIdempotencyKey(ctx.store, { ...dead, leaseUntil: at('2026-03-01T00:05:00Z') })).toBe(false);
    expect(
      await completeIdempotencyKey(ctx.store, {
        ...dead,
        status: 201,
        body: 'old',
        expiresAt: at('2026-03-02T00:00:00Z'),
      }),
    ).toBe(false);
    await releaseIdempotencyKey(ctx.store, dead);
    expect(await claim('2026-03-01T00:01:30Z', '2026-03-01T00:02:30Z')).toMatchObject({ claimed: false });
    // The new claimer renews its lease: past the first lease end, the key is still in use.
    expect(await renewIdempotencyKey(ctx.store, { ...live, leaseUntil: at('2026-03-01T00:03:00Z') })).toBe(true);
    expect(await claim('2026-03-01T00:02:30Z', '2026-03-01T00:03:30Z')).toMatchObject({ claimed: false });
    expect(
      await completeIdempotencyKey(ctx.store, {
        ...live,
        status: 201,
        body: 'new',
        expiresAt: at('2026-03-02T00:00:00Z'),
      }),
    ).toBe(true);
    expect(await claim('2026-03-01T12:00:00Z', '2026-03-01T12:01:00Z')).toEqual({
      claimed: false,
      fingerprint: 'f1',
      answer: { status: 201, body: 'new' },
    });
    // Renewing a finished key does nothing: its answer's expiry stands.
    expect(await renewIdempotencyKey(ctx.store, { ...live, leaseUntil: at('2026-03-01T00:04:00Z') })).toBe(false);
  });
});
