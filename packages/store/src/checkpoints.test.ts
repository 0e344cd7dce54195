import { InputError } from '@bulwark/core';
import { sql } from 'kysely';
import { expect, test } from 'vitest';
import { listChains, upsertChain } from './chains.ts';
import { getCheckpoint, getSeenBlocks, rewindCheckpoint, setCheckpoint } from './checkpoints.ts';
import { ConflictError, NotFoundError } from './errors.ts';
import { describeStore } from './testing.ts';
import { listWatchedContracts, upsertWatchedContract } from './watchedContracts.ts';

const hash = (n: number | bigint, fork = 'a') => `0x${fork}${n.toString(16).padStart(63, '0')}`;
const blocks = (from: number, to: number, fork = 'a') =>
  Array.from({ length: to - from + 1 }, (_, i) => {
    const n = BigInt(from + i);
    return { number: n, hash: hash(n, fork), parentHash: hash(n - 1n, fork) };
  });

describeStore('checkpoints', (ctx) => {
  test('default: no checkpoint, then the one set, with its chain registered', async () => {
    expect(await getCheckpoint(ctx.store, 10)).toBeUndefined();
    const set = await setCheckpoint(ctx.store, { chainId: 10, blockNumber: 120_000_000n, blockHash: '0xABCDEF' });
    expect(set).toMatchObject({ chainId: 10, blockNumber: 120_000_000n, blockHash: '0xabcdef' });
    expect(await getCheckpoint(ctx.store, 10)).toEqual(set);
    expect((await listChains(ctx.store)).map((c) => c.chainId)).toContain(10);
    await upsertChain(ctx.store, { chainId: 10, name: 'OP Mainnet' });
    await upsertChain(ctx.store, { chainId: 10 });
    expect((await listChains(ctx.store)).find((c) => c.chainId === 10)?.name).toBe('OP Mainnet');
  });

  test('behavior: block numbers beyond 2^53 come back exact', async () => {
    const big = 2n ** 60n + 1n;
    await setCheckpoint(ctx.store, { chainId: 11, blockNumber: big, blockHash: hash(1) });
    expect((await getCheckpoint(ctx.store, 11))?.blockNumber).toBe(big);
  });

  test('behavior: blocks are recorded with the checkpoint, replaced on a reorg and pruned behind it', async () => {
    await setCheckpoint(ctx.store, { chainId: 1, blockNumber: 105n, blockHash: hash(105), blocks: blocks(100, 105) });
    expect((await getSeenBlocks(ctx.store, { chainId: 1 })).map((b) => b.number)).toEqual([
      100n,
      101n,
      102n,
      103n,
      104n,
      105n,
    ]);
    // A reorg replaced 104 and 105: the new blocks take their heights.
    await setCheckpoint(ctx.store, {
      chainId: 1,
      blockNumber: 106n,
      blockHash: hash(106, 'b'),
      blocks: blocks(104, 106, 'b'),
    });
    const seen = await getSeenBlocks(ctx.store, { chainId: 1, from: 103n });
    expect(seen.map((b) => b.hash)).toEqual([hash(103), hash(104, 'b'), hash(105, 'b'), hash(106, 'b')]);
    // Keep 3 blocks below the checkpoint: 100..102 go.
    await setCheckpoint(ctx.store, { chainId: 1, blockNumber: 106n, blockHash: hash(106, 'b'), keepBlocks: 3 });
    expect((await getSeenBlocks(ctx.store, { chainId: 1 })).map((b) => b.number)).toEqual([103n, 104n, 105n, 106n]);
  });

  test('behavior: a failed update changes nothing (checkpoint and blocks move together)', async () => {
    await setCheckpoint(ctx.store, { chainId: 2, blockNumber: 10n, blockHash: hash(10), blocks: blocks(9, 10) });
    const before = await getCheckpoint(ctx.store, 2);
    const bad = [...blocks(11, 12), { number: 13n, hash: 'not-hex', parentHash: hash(12) }];
    await expect(
      setCheckpoint(ctx.store, { chainId: 2, blockNumber: 13n, blockHash: hash(13), blocks: bad }),
    ).rejects.toThrow(InputError);
    expect(await getCheckpoint(ctx.store, 2)).toEqual(before);
    expect((await getSeenBlocks(ctx.store, { chainId: 2 })).map((b) => b.number)).toEqual([9n, 10n]);
  });

  test('behavior: rewinding after a reorg goes back to a kept block and forgets the ones above', async () => {
    await setCheckpoint(ctx.store, { chainId: 3, blockNumber: 55n, blockHash: hash(55), blocks: blocks(50, 55) });
    const rewound = await rewindCheckpoint(ctx.store, { chainId: 3, toBlockNumber: 52n });
    expect(rewound).toMatchObject({ chainId: 3, blockNumber: 52n, blockHash: hash(52) });
    expect((await getSeenBlocks(ctx.store, { chainId: 3 })).map((b) => b.number)).toEqual([50n, 51n, 52n]);
    await expect(rewindCheckpoint(ctx.store, { chainId: 3, toBlockNumber: 10n })).rejects.toThrow(
      /not in the reorg window[\s\S]*resync/,
    );
    await expect(rewindCheckpoint(ctx.store, { chainId: 3, toBlockNumber: 10n })).rejects.toBeInstanceOf(NotFoundError);
  });

  test('error: an expected checkpoint that moved is a conflict, and nothing is written', async () => {
    await setCheckpoint(ctx.store, { chainId: 4, blockNumber: 7n, blockHash: hash(7), expected: null });
    const conflict = setCheckpoint(ctx.store, {
      chainId: 4,
      blockNumber: 9n,
      blockHash: hash(9),
      expected: { blockNumber: 6n, blockHash: hash(6) },
    });
    await expect(conflict).rejects.toBeInstanceOf(ConflictError);
    await expect(conflict).rejects.toThrow(/chain 4 is not the one expected \(it is now at block 7\)/);
    await expect(
      setCheckpoint(ctx.store, { chainId: 4, blockNumber: 9n, blockHash: hash(9), expected: null }),
    ).rejects.toBeInstanceOf(ConflictError);
    const moved = await setCheckpoint(ctx.store, {
      chainId: 4,
      blockNumber: 9n,
      blockHash: hash(9),
      expected: { blockNumber: 7n, blockHash: hash(7).toUpperCase().replace('0X', '0x') },
    });
    expect(moved.blockNumber).toBe(9n);
  });

  test('behavior: of two syncers racing from the same checkpoint, one wins', async () => {
    await setCheckpoint(ctx.store, { chainId: 5, blockNumber: 1n, blockHash: hash(1) });
    const expected = { blockNumber: 1n, blockHash: hash(1) };
    // Open the pool's connections first, so that the writers really run side by side on PostgreSQL.
    await Promise.all(Array.from({ length: 5 }, () => sql`select pg_sleep(0.05)`.execute(ctx.store.db)));
    const results = await Promise.allSettled(
      [2n, 3n, 4n, 5n].map((n) =>
        setCheckpoint(ctx.store, { chainId: 5, blockNumber: n, blockHash: hash(n), expected }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected')) expect(r.reason).toBeInstanceOf(ConflictError);
    const winner = results.find((r) => r.status === 'fulfilled')?.value;
    expect(await getCheckpoint(ctx.store, 5)).toEqual(winner);
  });

  test('error: chain ids and block numbers are checked', async () => {
    await expect(setCheckpoint(ctx.store, { chainId: 0, blockNumber: 1n, blockHash: hash(1) })).rejects.toThrow(
      /Chain id 0 is not a positive integer/,
    );
    await expect(setCheckpoint(ctx.store, { chainId: 1, blockNumber: -1n, blockHash: hash(1) })).rejects.toThrow(
      /not a non-negative bigint/,
    );
  });

  test('default: watched contracts register their chain and keep addresses in lower case', async () => {
    const watched = await upsertWatchedContract(ctx.store, {
      chainId: 8453,
      address: '0xAbCdEf0000000000000000000000000000000001',
      name: 'Vault',
      breakerKind: 'guardian-pause',
      autoPause: true,
      config: { guardian: '0x01' },
    });
    expect(watched).toMatchObject({
      address: '0xabcdef0000000000000000000000000000000001',
      autoPause: true,
      active: true,
    });
    await upsertWatchedContract(ctx.store, {
      chainId: 8453,
      address: watched.address,
      name: 'Vault v2',
      active: false,
    });
    expect(await listWatchedContracts(ctx.store, { chainId: 8453 })).toMatchObject([
      { name: 'Vault v2', active: false, autoPause: false, config: {} },
    ]);
    expect(await listWatchedContracts(ctx.store, { chainId: 8453, active: true })).toEqual([]);
  });
});
