import { expect, test } from 'vitest';
import {
  claimKey,
  finishClaim,
  getClusterPartition,
  isClaimDone,
  listClusterPartitions,
  listDoneClaims,
  listUnfinishedClaims,
  setClusterPartition,
} from './cluster.ts';
import { withTransaction } from './store.ts';
import { describeStore } from './testing.ts';

const hash = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;

describeStore('cluster state', (ctx) => {
  test('default: a partition moves forward, one row per chain and partition', async () => {
    expect(await getClusterPartition(ctx.store, { chainId: 5, partition: 0 })).toBeUndefined();
    await setClusterPartition(ctx.store, {
      chainId: 5,
      partition: 0,
      streamSeq: 3n,
      blockNumber: 10n,
      blockHash: hash(10),
    });
    await withTransaction(ctx.store, (tx) =>
      setClusterPartition(tx, { chainId: 5, partition: 0, streamSeq: 4n, blockNumber: 11n, blockHash: hash(11) }),
    );
    await setClusterPartition(ctx.store, {
      chainId: 5,
      partition: 1,
      streamSeq: 4n,
      blockNumber: 11n,
      blockHash: hash(11),
    });
    expect(await getClusterPartition(ctx.store, { chainId: 5, partition: 0 })).toMatchObject({
      streamSeq: 4n,
      blockNumber: 11n,
      blockHash: hash(11),
    });
    expect((await listClusterPartitions(ctx.store, 5)).map((row) => row.partition)).toEqual([0, 1]);
  });

  test('behavior: a key is claimed once; a finished claim is never taken again', async () => {
    expect(await claimKey(ctx.store, { key: 'pause:a', owner: 'w1', staleAfterMs: 60_000 })).toEqual({ claimed: true });
    expect(await claimKey(ctx.store, { key: 'pause:a', owner: 'w2', staleAfterMs: 60_000 })).toMatchObject({
      claimed: false,
      owner: 'w1',
      done: false,
    });
    expect(await isClaimDone(ctx.store, 'pause:a')).toBe(false);
    await finishClaim(ctx.store, { key: 'pause:a', owner: 'w1', outcome: 'sent' });
    expect(await isClaimDone(ctx.store, 'pause:a')).toBe(true);
    // Done: not even a stale-claim takeover reclaims it.
    expect(await claimKey(ctx.store, { key: 'pause:a', owner: 'w2', staleAfterMs: 0 })).toMatchObject({
      claimed: false,
      done: true,
      outcome: 'sent',
    });
  });

  test('behavior: unfinished claims are listed by key prefix, oldest first; LIKE wildcards in the prefix are literal', async () => {
    const store = await ctx.open();
    for (const key of ['send:1', 'send:2', 'send:3', 'sendX2', 'pause:1', 'se%d:1'])
      await claimKey(store, { key, owner: 'w1', staleAfterMs: 60_000 });
    await finishClaim(store, { key: 'send:2', owner: 'w1', outcome: 'sent' });
    const listed = await listUnfinishedClaims(store, { prefix: 'send:' });
    expect(listed.map((claim) => claim.key).sort()).toEqual(['send:1', 'send:3']);
    expect(listed[0]).toMatchObject({ owner: 'w1', claimedAt: expect.any(Date) });
    expect((await listUnfinishedClaims(store, { prefix: 'se%' })).map((claim) => claim.key)).toEqual(['se%d:1']);
  });

  test('behavior: an unfinished claim whose owner went quiet is taken over', async () => {
    expect(await claimKey(ctx.store, { key: 'pause:b', owner: 'dead', staleAfterMs: 60_000 })).toEqual({
      claimed: true,
    });
    expect(await claimKey(ctx.store, { key: 'pause:b', owner: 'w2', staleAfterMs: 60_000 })).toMatchObject({
      claimed: false,
    });
    expect(await claimKey(ctx.store, { key: 'pause:b', owner: 'w2', staleAfterMs: -1 })).toEqual({ claimed: true });
    await finishClaim(ctx.store, { key: 'pause:b', owner: 'dead', outcome: 'late' });
    expect(await isClaimDone(ctx.store, 'pause:b')).toBe(false);
  });

  test('behavior: finished claims by key prefix since a time; unfinished ones and other prefixes left out', async () => {
    const finish = async (key: string) => {
      await claimKey(ctx.store, { key, owner: 'r1', staleAfterMs: 60_000 });
      await finishClaim(ctx.store, { key, owner: 'r1', outcome: 'sent' });
    };
    const before = new Date(Date.now() - 60_000);
    await finish('pause:7:0xaa:1');
    await finish('pause:77:0xaa:1');
    // `_` and `%` in the prefix are literal characters, not patterns.
    await finish('pause_7:0xaa:1');
    await claimKey(ctx.store, { key: 'pause:7:0xbb:2', owner: 'r1', staleAfterMs: 60_000 });
    const done = await listDoneClaims(ctx.store, { prefix: 'pause:7:', since: before });
    expect(done.map((claim) => [claim.key, claim.outcome])).toEqual([['pause:7:0xaa:1', 'sent']]);
    expect(await listDoneClaims(ctx.store, { prefix: 'pause_', since: before })).toHaveLength(1);
    expect(await listDoneClaims(ctx.store, { prefix: 'pause:7:', since: new Date(Date.now() + 60_000) })).toEqual([]);
  });
});
