import type { Checkpoint } from '@bulwark/chain';
import { describeStore } from '@bulwark/store/testing';
import type { Hex } from 'viem';
import { expect, test } from 'vitest';
import { createStoreCheckpoints } from './storeCheckpoints.ts';

const hash = (n: number, fork = 'a') => `0x${fork}${n.toString(16).padStart(63, '0')}` as Hex;

/** The checkpoint the chain sync writes after block `n`: ancestors newest first, down to `from`. */
const checkpointAt = (n: number, from: number, fork: (n: number) => string = () => 'a'): Checkpoint => ({
  number: BigInt(n),
  hash: hash(n, fork(n)),
  ancestors: Array.from({ length: Math.min(n - from, 32) }, (_, i) => hash(n - 1 - i, fork(n - 1 - i))),
});

/** Hashes of blocks `to` down to `from`. */
const hashesDown = (to: number, from: number, fork: (n: number) => string = () => 'a') =>
  Array.from({ length: to - from + 1 }, (_, i) => hash(to - i, fork(to - i)));

describeStore('createStoreCheckpoints', (ctx) => {
  test('default: a fresh store has no checkpoint', async () => {
    const checkpoints = createStoreCheckpoints(ctx.store);
    expect(await checkpoints.get(1)).toBeUndefined();
  });

  test('default: a sequence of checkpoints comes back as the tip with its consecutive ancestors', async () => {
    const checkpoints = createStoreCheckpoints(ctx.store);
    // The sync started at 100, with 90..99 already behind it: those were never recorded here.
    for (let n = 100; n <= 110; n++) {
      await checkpoints.set(2, checkpointAt(n, 90));
      expect(await checkpoints.get(2)).toEqual({ number: BigInt(n), hash: hash(n), ancestors: hashesDown(n - 1, 100) });
    }
    // Another process on the same store (a restart) reads the same.
    expect(await createStoreCheckpoints(ctx.store).get(2)).toEqual({
      number: 110n,
      hash: hash(110),
      ancestors: hashesDown(109, 100),
    });
    // Chains are kept apart.
    expect(await checkpoints.get(3)).toBeUndefined();
  });

  test('behavior: ancestors stop at `depth`', async () => {
    const writer = createStoreCheckpoints(ctx.store);
    for (let n = 200; n <= 240; n++) await writer.set(4, checkpointAt(n, 200));
    expect((await writer.get(4))?.ancestors).toEqual(hashesDown(239, 208));
    expect((await createStoreCheckpoints(ctx.store, { depth: 4 }).get(4))?.ancestors).toEqual(hashesDown(239, 236));
    expect(await createStoreCheckpoints(ctx.store, { depth: 0 }).get(4)).toEqual({
      number: 240n,
      hash: hash(240),
      ancestors: [],
    });
  });

  test('behavior: ancestors stop at the first block not recorded', async () => {
    const checkpoints = createStoreCheckpoints(ctx.store);
    for (let n = 300; n <= 303; n++) await checkpoints.set(5, checkpointAt(n, 290));
    // Blocks 304 and 305 were never checkpointed here (another writer, or a crash before the write).
    await checkpoints.set(5, checkpointAt(306, 290));
    expect(await checkpoints.get(5)).toEqual({ number: 306n, hash: hash(306), ancestors: [] });
    await checkpoints.set(5, checkpointAt(307, 290));
    expect(await checkpoints.get(5)).toEqual({ number: 307n, hash: hash(307), ancestors: [hash(306)] });
  });

  test('behavior: after a reorg the ancestors follow the new chain', async () => {
    const checkpoints = createStoreCheckpoints(ctx.store);
    for (let n = 400; n <= 405; n++) await checkpoints.set(6, checkpointAt(n, 398));
    // The sync steps back to the common ancestor 402, then follows fork b.
    await checkpoints.set(6, checkpointAt(402, 398));
    expect(await checkpoints.get(6)).toEqual({ number: 402n, hash: hash(402), ancestors: hashesDown(401, 400) });
    const fork = (n: number) => (n > 402 ? 'b' : 'a');
    for (let n = 403; n <= 406; n++) await checkpoints.set(6, checkpointAt(n, 398, fork));
    expect(await checkpoints.get(6)).toEqual({
      number: 406n,
      hash: hash(406, 'b'),
      ancestors: hashesDown(405, 400, fork),
    });
  });

  test('behavior: hashes come back lower-case', async () => {
    const checkpoints = createStoreCheckpoints(ctx.store);
    const upper = (n: number) => hash(n, 'C').toUpperCase().replace('0X', '0x') as Hex;
    await checkpoints.set(7, { number: 10n, hash: upper(10), ancestors: [upper(9)] });
    await checkpoints.set(7, { number: 11n, hash: upper(11), ancestors: [upper(10), upper(9)] });
    expect(await checkpoints.get(7)).toEqual({ number: 11n, hash: hash(11, 'c'), ancestors: [hash(10, 'c')] });
  });
});
