import { expect, test } from 'vitest';
import { claimIdempotencyKey, completeIdempotencyKey, releaseIdempotencyKey } from './idempotencyKeys.ts';
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
        expiresAt: at('2026-01-02T00:00:00Z'),
      });
    expect(await claim('2026-01-01T00:00:00Z')).toEqual({ claimed: true });
    expect(await claim('2026-01-01T00:01:00Z')).toEqual({ claimed: false, fingerprint: 'f1', answer: undefined });
    await completeIdempotencyKey(ctx.store, { ...scope, status: 201, body: { id: 'r-1', amount: '5' } });
    expect(await claim('2026-01-01T00:02:00Z')).toEqual({
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
        expiresAt: at('2026-01-02T00:00:00Z'),
        now: at('2026-01-01T00:02:00Z'),
      }),
    ).toEqual({ claimed: true });
  });

  test('behavior: an expired key is deleted and claimed anew; a released key is free again', async () => {
    const next = { ...scope, key: 'k-2' };
    const claim = (fingerprint: string, now: string, expiresAt: string) =>
      claimIdempotencyKey(ctx.store, { ...next, fingerprint, now: at(now), expiresAt: at(expiresAt) });
    expect(await claim('f1', '2026-02-01T00:00:00Z', '2026-02-02T00:00:00Z')).toEqual({ claimed: true });
    await completeIdempotencyKey(ctx.store, { ...next, status: 200, body: [1] });
    expect((await claim('f9', '2026-02-01T12:00:00Z', '2026-02-02T12:00:00Z')).claimed).toBe(false);
    expect(await claim('f9', '2026-02-02T00:00:00Z', '2026-02-03T00:00:00Z')).toEqual({ claimed: true });
    await releaseIdempotencyKey(ctx.store, next);
    expect(await claim('f3', '2026-02-02T00:00:01Z', '2026-02-03T00:00:00Z')).toEqual({ claimed: true });
  });
});
