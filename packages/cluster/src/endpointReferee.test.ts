import { afterAll, describe, expect, test } from 'vitest';
import { type FakeNode, startFakeNode } from '../../chain/src/testing.ts';
import { createEndpointReferee } from './endpointReferee.ts';

/** A node whose head and block hashes the test sets: `hashes[n]` is block n's hash, absent past the head. */
type View = { head: bigint; hashes: Map<bigint, `0x${string}`> };

const hash = (n: number, fork = 0) => `0x${(fork * 1000 + n).toString(16).padStart(64, '0')}` as const;
const chainTo = (head: number, fork = 0, forkFrom = 0): View => ({
  head: BigInt(head),
  hashes: new Map(Array.from({ length: head + 1 }, (_, n) => [BigInt(n), hash(n, n >= forkFrom ? fork : 0)] as const)),
});

const nodes: FakeNode[] = [];
async function node(view: { current: View }): Promise<string> {
  const fake = await startFakeNode((request) => {
    if (request.method === 'eth_blockNumber') return `0x${view.current.head.toString(16)}`;
    if (request.method === 'eth_getBlockByNumber') {
      const number = BigInt(request.params[0] as string);
      const found = number <= view.current.head ? view.current.hashes.get(number) : undefined;
      return found ? { number: request.params[0], hash: found } : null;
    }
    return null;
  });
  nodes.push(fake);
  return fake.url;
}
afterAll(async () => {
  for (const fake of nodes) await fake.close();
});

async function referee(views: { current: View }[]) {
  const lines: string[] = [];
  const endpoints = [];
  for (const view of views) endpoints.push(await node(view));
  const judge = createEndpointReferee({ endpoints, log: (_level, line) => lines.push(line) });
  return { judge, lines, endpoints };
}

const ref = (n: number, fork = 0) => ({ number: BigInt(n), hash: hash(n, fork) });

describe('endpoint referee', () => {
  test('default: one endpoint: every block is published, nothing is compared', async () => {
    const { judge } = await referee([{ current: chainTo(5) }]);
    expect(await judge.vet(ref(5, 7), ref(4))).toBe('publish');
    expect(await judge.audit(ref(4))).toBe(false);
  });

  test('behavior: a head stuck behind the others is demoted at the second check, once, and reinstated when back', async () => {
    const stuck = { current: chainTo(10) };
    const honest = { current: chainTo(10) };
    const { judge, lines } = await referee([stuck, honest]);
    expect(await judge.audit(ref(10))).toBe(false);
    honest.current = chainTo(13);
    expect(await judge.audit(ref(10))).toBe(false);
    expect(judge.states()[0]!.demoted).toBeNull();
    expect(await judge.audit(ref(10))).toBe(true);
    expect(judge.states()[0]).toMatchObject({ head: '10', demoted: { reason: 'stale' } });
    expect(judge.active()).toHaveLength(1);
    expect(await judge.audit(ref(10))).toBe(false);
    expect(lines.filter((line) => /demoted \(stale\)/.test(line))).toHaveLength(1);
    stuck.current = chainTo(13);
    expect(await judge.audit(ref(13))).toBe(true);
    expect(judge.states()[0]!.demoted).toBeNull();
    expect(lines.at(-1)).toMatch(/reinstated after/);
  });

  test('behavior: denying the stream tip another endpoint confirms: demoted at the second strike; its block is fetched again', async () => {
    const liar = { current: chainTo(8, 1, 0) };
    const honest = { current: chainTo(8) };
    const { judge, lines } = await referee([liar, honest]);
    // The sync's block 8 came from the liar: the first strike holds it, the second demotes.
    expect(await judge.vet(ref(8, 1), ref(7))).toBe('hold');
    expect(await judge.vet(ref(8, 1), ref(7))).toBe('refollow');
    expect(judge.states()[0]!.demoted).toMatchObject({ reason: 'wrong' });
    expect(lines.join('\n')).toMatch(/demoted \(wrong\): block 7 is 0x/);
    // From the honest one alone, block 8 passes.
    expect(await judge.vet(ref(8), ref(7))).toBe('publish');
    // A reorg the liar alone claims is held while the honest endpoint still confirms the tip.
    const { judge: other } = await referee([{ current: chainTo(8, 1, 0) }, { current: chainTo(8) }]);
    expect(await other.vet('reorg', ref(8))).toBe('hold');
  });

  test('behavior: a real reorg (every endpoint denies the tip) is published; a fork at the newest block alone waits', async () => {
    const a = { current: chainTo(9, 2, 9) };
    const b = { current: chainTo(9, 2, 9) };
    const { judge } = await referee([a, b]);
    expect(await judge.vet('reorg', ref(9))).toBe('publish');
    b.current = chainTo(9, 3, 9);
    expect(await judge.vet(ref(9, 2), ref(8))).toBe('hold');
  });

  test('behavior: an endpoint that does not answer is left to the audits: the blocks do not wait for it', async () => {
    const dead = await startFakeNode(() => {
      throw new Error('connection dropped');
    });
    nodes.push(dead);
    const honest = await node({ current: chainTo(9) });
    const judge = createEndpointReferee({ endpoints: [dead.url, honest], log: () => {} });
    expect(await judge.vet(ref(9), ref(8))).toBe('publish');
    const asked = dead.requests.length;
    expect(asked).toBeGreaterThan(0);
    expect(await judge.vet(ref(9), ref(8))).toBe('publish');
    expect(dead.requests.length).toBe(asked);
    await judge.audit(ref(9));
    expect(dead.requests.length).toBeGreaterThan(asked);
    expect(judge.states()[0]).toMatchObject({ head: null, demoted: null });
  });

  test('behavior: with three endpoints the majority decides a block at the tip', async () => {
    const { judge } = await referee([{ current: chainTo(9, 4, 9) }, { current: chainTo(9) }, { current: chainTo(9) }]);
    expect(await judge.vet(ref(9), ref(8))).toBe('publish');
    expect(await judge.vet(ref(9, 4), ref(8))).toBe('refollow');
  });
});
