import { createChainSync } from '@bulwark/chain';
import { listAlerts, listIncidents } from '@bulwark/store';
import { describeStore } from '@bulwark/store/testing';
import { type Address, type Hex, numberToHex, parseEther } from 'viem';
import { foundry } from 'viem/chains';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { blockTraceMethods, type FakeNode, forwardHolding, startFakeNode } from '../../../chain/src/testing.ts';
import { createEngine } from '../engine/engine.ts';
import { createPauseResponder } from '../responder/pauseSender.ts';
import { type ResponderTestChain, startResponderChain, until } from '../responder/testing.ts';
import { drillRule } from '../rules/testing.ts';
import type { Rule, RuleContext } from '../rules/types.ts';
import type { Alert } from '../sinks/alert.ts';
import { createDispatcher } from '../sinks/dispatcher.ts';
import { type BlockReport, type Breaker, createMonitor } from './monitor.ts';
import { createStoreCheckpoints } from './storeCheckpoints.ts';

/** Generous waits for conditions: the machine is shared. */
const patience = 120_000;
const depositSelector = '0xd0e30db0';

/** Two rules that need no traces (the transaction's own call is in every block), raised by the drill account. */
function drillRules(drill: string): Rule[] {
  const fired = (context: RuleContext) =>
    context.events.flatMap((event) =>
      event.type === 'call' && event.depth === 0 && event.caller === drill ? [event.contract] : [],
    );
  return [
    drillRule({ id: 'drill-exploit', stage: 'exploitation', score: 0.5, fired }),
    drillRule({ id: 'drill-impact', stage: 'impact', score: 0.6, needs: ['logs'], fired }),
  ];
}

describeStore('createMonitor: the early pass', (ctx) => {
  let chain: ResponderTestChain;
  let proxy: FakeNode;
  const slowTraces = { current: undefined as ReturnType<typeof forwardHolding> | undefined };
  beforeAll(async () => {
    chain = await startResponderChain();
    const slow = forwardHolding(chain.anvil.rpcUrl, blockTraceMethods);
    slowTraces.current = slow;
    proxy = await startFakeNode(slow.handler);
  });
  afterAll(async () => {
    slowTraces.current?.release();
    await proxy?.close();
    await chain?.stop();
  });

  test('behavior: a pause the receipts justify is broadcast while the block’s traces are held; one alert each, one pause per incident', {
    timeout: 3 * patience,
  }, async () => {
    const slow = slowTraces.current!;
    const chainId = foundry.id;
    const { account } = await chain.newGuardian();
    const vault = (await chain.deployPausable(account.address)).toLowerCase() as Address;
    const [, drill] = await chain.rpc<Address[]>('eth_accounts');
    const responder = createPauseResponder({
      client: chain.client,
      account,
      store: ctx.store,
      chainId,
      allowed: [vault],
      pollingIntervalMs: 20,
      deadlineMs: 2 * patience,
    });
    /** Each broadcast pause, with how many held trace requests had been answered by then. */
    const broadcasts: { txHash: Hex; tracesAnswered: number }[] = [];
    let breakerCalls = 0;
    const settled: Promise<unknown>[] = [];
    const breaker: Breaker = async (request) => {
      breakerCalls++;
      const handle = responder.start({ ...request, contract: request.contract as Address });
      settled.push(handle.settled);
      const broadcast = await handle.broadcast;
      if (!broadcast) return { status: (await handle.settled).status };
      broadcasts.push({ txHash: broadcast.txHash, tracesAnswered: slow.answered() });
      return { status: 'sent', txHash: broadcast.txHash, broadcastAt: broadcast.atMs };
    };
    const sent: Alert[] = [];
    const reports: BlockReport[] = [];
    const monitor = createMonitor({
      chainId,
      store: ctx.store,
      sync: createChainSync({
        chainId,
        endpoints: [proxy.url],
        checkpointStore: createStoreCheckpoints(ctx.store, { readOnly: true }),
        pollingIntervalMs: 50,
        receiptsFirst: true,
      }),
      engine: createEngine({
        chainId,
        contracts: [{ address: vault, name: 'Vault', kind: 'vault' }],
        rules: drillRules(drill!.toLowerCase()),
      }),
      dispatcher: createDispatcher({ sinks: [{ name: 'memory', send: async (alert) => void sent.push(alert) }] }),
      contracts: [{ address: vault, name: 'Vault', assets: [], breaker, autoPause: true }],
      learnBlocks: 0,
      cooldownMs: 0,
      onBlock: (report) => void reports.push(report),
    });
    await monitor.learn();
    const running = monitor.run();
    await monitor.whenFollowing;
    const strike = async () => {
      await chain.rpc('eth_sendTransaction', [
        { from: drill, to: vault, data: depositSelector, value: numberToHex(parseEther('1')) },
      ]);
      await chain.mine();
      return chain.client.getBlockNumber({ cacheTime: 0 });
    };

    // The node is slow to trace from here on.
    slow.hold();
    const attackBlock = await strike();
    await until(() => broadcasts.length > 0, patience);
    // The pause went out from the receipts: the block's traces were asked for and not answered yet.
    expect(broadcasts[0]!.tracesAnswered).toBe(0);
    expect(slow.held.map((request) => (request.params as [Hex])[0])).toContain(numberToHex(attackBlock));
    expect(reports.map((report) => report.number)).not.toContain(attackBlock);
    expect(await chain.pendingCount()).toBe(1);

    slow.release();
    await until(() => reports.some((report) => report.number === attackBlock), patience);
    const report = reports.find((r) => r.number === attackBlock)!;
    expect(report.pauses).toHaveLength(1);
    expect(report.pauses[0]).toMatchObject({
      early: true,
      outcome: { status: 'sent', txHash: broadcasts[0]!.txHash },
    });
    expect(report.pauseMs).toBeDefined();
    expect(report.phases?.broadcastMs).toBeDefined();

    // The attack goes on in the next block (mined with the pause): no second pause for the incident.
    const nextBlock = await strike();
    await until(() => reports.some((r) => r.number === nextBlock), patience);
    expect(breakerCalls).toBe(1);
    expect(broadcasts).toHaveLength(1);
    await monitor.stop();
    await running;
    await Promise.all(settled);
    expect(await chain.paused(vault)).toBe(true);

    // Each alert recorded once and sent once: the block's signals, and one verdict for the incident.
    const recorded = await listAlerts(ctx.store, { chainId });
    const ofBlock = (number: bigint) =>
      recorded
        .filter((alert) => alert.blockNumber === number)
        .map((alert) => alert.ruleId)
        .sort();
    expect(ofBlock(attackBlock)).toEqual(['composite-score', 'drill-exploit', 'drill-impact']);
    expect(ofBlock(nextBlock)).toEqual(['drill-exploit', 'drill-impact']);
    expect(sent.map((alert) => alert.id).sort()).toEqual(recorded.map((alert) => alert.id).sort());
    const incidents = await listIncidents(ctx.store, { chainId, address: vault });
    expect(incidents).toHaveLength(1);
    expect(recorded.every((alert) => alert.incidentId === incidents[0]!.id)).toBe(true);
  });
});
