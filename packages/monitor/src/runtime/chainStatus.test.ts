import type { EndpointHealthChange } from '@bulwark/chain';
import { expect, test } from 'vitest';
import { createChainStatus } from './chainStatus.ts';

function tracker(head: bigint) {
  const lines: string[] = [];
  let chainHead = head;
  let clock = 1_000;
  const status = createChainStatus({
    chainId: 1,
    log: (level, message, fields) => lines.push(`${level} ${fields?.event ?? ''} ${message}`),
    head: async () => chainHead,
    now: () => clock,
    lagCheckMs: 0,
  });
  return {
    status,
    lines,
    setHead: (value: bigint) => {
      chainHead = value;
    },
    tick: (ms: number) => {
      clock += ms;
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

test('default: following is the ready signal; a resumed monitor behind the head catches up, logged once at start and end', async () => {
  const t = tracker(110n);
  let ready = false;
  void t.status.whenFollowing.then(() => {
    ready = true;
  });
  expect(t.status.snapshot().state).toBe('starting');
  t.status.following(100n);
  await settle();
  expect(ready).toBe(true);
  expect(t.status.snapshot()).toMatchObject({ state: 'catching-up', head: 110n, catchUps: 1 });
  for (let n = 101n; n <= 110n; n++) t.status.block(n);
  expect(t.lines).toEqual([
    'info catch-up-start Chain 1: 10 block(s) behind the head; catching up on 101–110.',
    'info catch-up-end Chain 1: caught up on blocks 101–110 in 0.0 s.',
  ]);
  expect(t.status.snapshot()).toMatchObject({ state: 'following', lastBlock: 110n, lagBlocks: 0 });
});

test('behavior: an outage is one "down" line however many errors, then one "following again", and the catch-up', async () => {
  const t = tracker(5n);
  t.status.following(undefined);
  t.status.block(5n);
  await settle();
  for (let i = 0; i < 6; i++)
    t.status.syncError(new Error('eth_getBlockByNumber: every RPC endpoint failed\n- attempt 1\n- attempt 2'));
  expect(t.status.snapshot()).toMatchObject({ state: 'down', outages: 1, syncErrors: 6 });
  t.tick(15_000);
  t.setHead(20n);
  t.status.block(6n);
  await settle();
  for (let n = 7n; n <= 20n; n++) t.status.block(n);
  expect(t.lines).toEqual([
    'error chain-down Chain 1: cannot follow the chain: eth_getBlockByNumber: every RPC endpoint failed',
    'info chain-recovered Chain 1: following again after 15.0 s (block 6).',
    'info catch-up-start Chain 1: 15 block(s) behind the head; catching up on 6–20.',
    'info catch-up-end Chain 1: caught up on blocks 6–20 in 0.0 s.',
  ]);
  // A second outage is counted and told again.
  t.status.syncError(new Error('down'));
  expect(t.status.snapshot().outages).toBe(2);
});

test('behavior: endpoint transitions are logged and kept per endpoint and transport', () => {
  const t = tracker(1n);
  const change = (state: EndpointHealthChange['state'], at: number): EndpointHealthChange => ({
    endpoint: 'http://127.0.0.1:1/v3/***',
    transport: 'http',
    state,
    error: state === 'down' ? 'cannot reach the endpoint.' : undefined,
    at,
    downForMs: state === 'down' ? undefined : 2_500,
  });
  t.status.endpointChanged(change('down', 1_000));
  expect(t.status.snapshot().endpoints).toEqual([
    { name: 'http://127.0.0.1:1/v3/***', transport: 'http', up: false, downSince: 1_000, downs: 1 },
  ]);
  t.status.endpointChanged(change('recovered', 3_500));
  expect(t.status.snapshot().endpoints[0]).toMatchObject({ up: true, downSince: undefined, downs: 1 });
  expect(t.lines).toEqual([
    'warn endpoint-down Chain 1: RPC endpoint http://127.0.0.1:1/v3/*** is down: cannot reach the endpoint.',
    'info endpoint-recovered Chain 1: RPC endpoint http://127.0.0.1:1/v3/*** recovered after 2.5 s.',
  ]);
});

test('behavior: lag behind the head found by a periodic check is a catch-up too; a small lag is not', async () => {
  const t = tracker(10n);
  t.status.following(undefined);
  t.status.block(10n);
  await settle();
  t.setHead(13n);
  await t.status.checkLag();
  expect(t.lines).toEqual([]);
  expect(t.status.snapshot()).toMatchObject({ lagBlocks: 3, state: 'following' });
  t.setHead(30n);
  await t.status.checkLag();
  await t.status.checkLag();
  for (let n = 11n; n <= 30n; n++) t.status.block(n);
  expect(t.lines).toEqual([
    'info catch-up-start Chain 1: 20 block(s) behind the head; catching up on 11–30.',
    'info catch-up-end Chain 1: caught up on blocks 11–30 in 0.0 s.',
  ]);
});
