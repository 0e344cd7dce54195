import { type Block, type CallFrame, createChainSync, type Tx } from '@bulwark/chain';
import { getCheckpoint, listAlerts } from '@bulwark/store';
import { describeStore } from '@bulwark/store/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { forwardHolding, startFakeNode, startTestNode, type TestNode } from '../../../chain/src/testing.ts';
import { createEngine } from '../engine/engine.ts';
import { until } from '../responder/testing.ts';
import { knownMaliciousAddressRule } from '../rules/actors/known-malicious-address.ts';
import type { Alert } from '../sinks/alert.ts';
import { createDispatcher } from '../sinks/dispatcher.ts';
import {
  type CreateMonitorParameters,
  createMonitor,
  type MonitoredContract,
  type PauseCompetitor,
  touchedBy,
} from './monitor.ts';
import { createStoreCheckpoints } from './storeCheckpoints.ts';

const watched = '0x00000000000000000000000000000000000d1e11';
/** Generous waits for conditions: the machine is shared. */
const patience = 120_000;

describeStore('createMonitor', (ctx) => {
  let node: TestNode;
  beforeAll(async () => {
    node = await startTestNode();
  });
  afterAll(async () => {
    await node?.stop();
  });

  /**
   * A monitor of the test chain (or `options.node`, on `options.chainId`) on the suite's store: a
   * listed address paying `watched` alerts. With `compete`, mempool mode, and the watched
   * contract's pause hears of its pending transactions.
   */
  function monitorOf(
    sent: Alert[],
    options: {
      node?: TestNode;
      chainId?: number;
      compete?: MonitoredContract['compete'];
      /** The node's URL to the sync (a proxy in front of it). */
      endpoint?: string;
      onPending?: CreateMonitorParameters['onPending'];
    } = {},
  ) {
    const on = options.node ?? node;
    const chainId = options.chainId ?? 31337;
    const attacker = on.accounts[1]!.toLowerCase();
    return createMonitor({
      chainId,
      store: ctx.store,
      sync: createChainSync({
        chainId,
        endpoints: [options.endpoint ?? on.anvil.rpcUrl],
        checkpointStore: createStoreCheckpoints(ctx.store, { readOnly: true }),
        pollingIntervalMs: 50,
        watch: options.compete ? [watched] : undefined,
      }),
      engine: createEngine({
        chainId,
        contracts: [{ address: watched, name: 'Watched', kind: 'other' }],
        rules: [knownMaliciousAddressRule],
        threatIntel: new Map([[attacker, 'drill']]),
      }),
      dispatcher: createDispatcher({ sinks: [{ name: 'memory', send: async (alert) => void sent.push(alert) }] }),
      contracts: [{ address: watched, name: 'Watched', assets: [], autoPause: false, compete: options.compete }],
      learnBlocks: 0,
      cooldownMs: 0,
      onPending: options.onPending,
    });
  }
  /** The block the transaction was mined in, from its receipt (not the head, which may have moved). */
  async function alertingBlock(): Promise<bigint> {
    const hash = await node.rpc<string>('eth_sendTransaction', [{ from: node.accounts[1], to: watched, value: '0x1' }]);
    for (;;) {
      const receipt = await node.rpc<{ blockNumber: string } | null>('eth_getTransactionReceipt', [hash]);
      if (receipt) return BigInt(receipt.blockNumber);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  test('behavior: a block that cannot be recorded stops the run before it; the next run evaluates it once', {
    timeout: 3 * patience,
  }, async () => {
    const sent: Alert[] = [];
    const first = monitorOf(sent);
    await first.learn();
    const running = first.run();
    const recorded = await alertingBlock();
    await until(() => sent.some((alert) => alert.blockNumber === recorded.toString()), patience);
    // The store refuses to move the cursor past the next block (a fault in the database).
    const doomed = recorded + 1n;
    await sql
      .raw(`create function bulwark_test_refuse() returns trigger language plpgsql as $$
        begin if new.block_number = ${doomed} then raise exception 'disk full'; end if; return new; end $$`)
      .execute(ctx.store.db);
    await sql
      .raw(`create trigger bulwark_test_refuse before insert or update on sync_checkpoints
        for each row execute function bulwark_test_refuse()`)
      .execute(ctx.store.db);
    expect(await alertingBlock()).toBe(doomed);
    await expect(running).rejects.toThrow(/disk full/);
    // Nothing of the block is recorded or sent, and the cursor is before it.
    expect(sent.map((alert) => alert.blockNumber)).not.toContain(doomed.toString());
    expect((await listAlerts(ctx.store, { chainId: 31337 })).map((alert) => alert.blockNumber)).not.toContain(doomed);
    expect(await getCheckpoint(ctx.store, 31337)).toMatchObject({ blockNumber: recorded });

    await sql.raw('drop trigger bulwark_test_refuse on sync_checkpoints').execute(ctx.store.db);
    const second = monitorOf(sent);
    await second.learn();
    const resumed = second.run();
    await until(() => sent.some((alert) => alert.blockNumber === doomed.toString()), patience);
    await second.stop();
    await resumed;
    expect(sent.filter((alert) => alert.blockNumber === doomed.toString())).toHaveLength(1);
    expect(await getCheckpoint(ctx.store, 31337)).toMatchObject({ blockNumber: doomed });
  });

  test('behavior: a pending transaction that reaches a protected contract is handed to its pause (compete) as it arrives', {
    timeout: 2 * patience,
  }, async () => {
    // A chain of its own (another chain id) that mines only when told: the transaction stays pending.
    const pendingNode = await startTestNode({ noMining: true, chainId: 31_338 });
    try {
      const competitors: PauseCompetitor[] = [];
      const monitor = monitorOf([], {
        node: pendingNode,
        chainId: 31_338,
        compete: (tx) => void competitors.push(tx),
      });
      await monitor.learn();
      const running = monitor.run();
      await monitor.whenFollowing;
      const hash = await pendingNode.rpc<string>('eth_sendTransaction', [
        { from: pendingNode.accounts[1], to: watched, value: '0x1', maxPriorityFeePerGas: '0x77359400' },
      ]);
      await until(() => competitors.some((tx) => tx.hash === hash), patience);
      expect(competitors.find((tx) => tx.hash === hash)).toMatchObject({
        from: pendingNode.accounts[1]!.toLowerCase(),
        maxPriorityFeePerGas: 2_000_000_000n,
      });
      await monitor.stop();
      await running;
    } finally {
      await pendingNode.stop();
    }
  });

  test('behavior: a pending transaction whose block was evaluated first is not judged again as pending', {
    timeout: 2 * patience,
  }, async () => {
    // The node is slow to simulate pending transactions: the block that includes one comes first.
    const pendingNode = await startTestNode({ noMining: true, chainId: 31_339 });
    const slow = forwardHolding(pendingNode.anvil.rpcUrl, 'debug_traceCall');
    const proxy = await startFakeNode(slow.handler);
    try {
      const judged: string[] = [];
      const competitors: string[] = [];
      const monitor = monitorOf([], {
        node: pendingNode,
        chainId: 31_339,
        endpoint: proxy.url,
        compete: (tx) => void competitors.push(tx.hash),
        onPending: (result) => void judged.push(result.tx.hash),
      });
      await monitor.learn();
      const running = monitor.run();
      await monitor.whenFollowing;
      slow.hold();
      // A listed sender paying the watched address: signals both when pending and when mined.
      const hash = await pendingNode.rpc<string>('eth_sendTransaction', [
        { from: pendingNode.accounts[1], to: watched, value: '0x1' },
      ]);
      await until(() => slow.held.length > 0, patience);
      await pendingNode.mine();
      const mined = await pendingNode.blockNumber();
      await until(
        async () => (await listAlerts(ctx.store, { chainId: 31_339 })).some((a) => a.txHash === hash),
        patience,
      );
      slow.release();
      // The simulation is answered after the block was evaluated: the sync hands it on, the monitor drops it.
      await until(() => slow.answered() > 0, patience);
      await pendingNode.mine();
      await until(async () => (await getCheckpoint(ctx.store, 31_339))?.blockNumber === mined + 1n, patience);
      await monitor.stop();
      await running;
      expect(judged).not.toContain(hash);
      expect(competitors).not.toContain(hash);
    } finally {
      slow.release();
      await proxy.close();
      await pendingNode.stop();
    }
  });
});

test('behavior: a block touches the accounts it calls, calls inside, creates or that log, watched or not; none known without a trace', () => {
  const [vault, pool, token, created, other] = ['0xaa', '0xbb', '0xcc', '0xdd', '0xee'].map((a) => a.padEnd(42, '1'));
  const frame = (to: string, calls: CallFrame[] = []) =>
    ({ type: 'CALL', from: other, to, calls }) as unknown as CallFrame;
  const tx = (to: string | null, trace: CallFrame | undefined, contractAddress: string | null = null) =>
    ({ to, trace, receipt: { contractAddress, logs: [] } }) as unknown as Tx;
  const block = (transactions: Tx[], logAddresses: string[] = []) =>
    ({ transactions, logs: logAddresses.map((address) => ({ address })) }) as unknown as Block;

  // Called directly (checksummed), called inside another call; the caller and an unwatched contract count too
  // (a pause registry that only the pause manager calls).
  const called = block([
    tx(vault!.toUpperCase().replace('0X', '0x'), frame(vault!)),
    tx(other!, frame(other!, [frame(pool!)])),
  ]);
  expect(touchedBy(called)).toEqual(new Set([vault, pool, other]));
  // A log of a contract, and a creation of one.
  expect(touchedBy(block([tx(null, frame(created!), created)], [token!]))).toEqual(new Set([created, token, other]));
  expect(touchedBy(block([]))).toEqual(new Set());
  // A transaction without its trace may have called any contract inside.
  expect(touchedBy(block([tx(other!, undefined)]))).toBeUndefined();
});
