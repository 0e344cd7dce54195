import { listLog, openStore, type Store } from '@bulwark/store';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { formatWalletDemo, runWalletDemo } from './wallet.ts';

let store: Store;
beforeAll(async () => {
  store = await openStore({ dataDir: 'memory://' });
});
afterAll(() => store?.close());

test('behavior: the demo signs a small payout, holds a large withdrawal, blocks a delegatecall and flags a drainer signature', async () => {
  const results = await runWalletDemo(store);
  expect(results.requests.map((r) => [r.file, r.state, r.decision.rule])).toEqual([
    ['withdrawal-small.json', 'signed', 'small-payouts'],
    ['withdrawal-large.json', 'pending', 'large-one-time'],
    ['delegatecall.json', 'blocked', 'builtin:delegatecall-target'],
  ]);
  expect(formatWalletDemo(results)).toContain('withdrawal-large.json  pending  rule large-one-time (15000 USD)');
  expect((await listLog(store, { action: 'wallet.request' })).length).toBe(3);
  expect((await listLog(store, { action: 'wallet.request.signed' })).length).toBe(1);
  expect(results.signature).toMatchObject({ risk: 'high', kind: 'permit2-single' });
  expect(JSON.parse(JSON.stringify(results))).toMatchObject({ signature: { risk: 'high' } });
});
