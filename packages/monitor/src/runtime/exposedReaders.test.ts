/**
 * A two-block attack on a price: one block pushes a pool's price, the next borrows against it from
 * a contract that reads the pool. The reader's own signals come only with the borrow; the pool's
 * verdict in the first block must already pause it.
 */
import { createChainSync } from '@bulwark/chain';
import { compileSources, deployContract, sendAndConfirm } from '@bulwark/contracts';
import { listAlerts } from '@bulwark/store';
import { describeStore } from '@bulwark/store/testing';
import { type Address, encodeFunctionData, parseAbi } from 'viem';
import { foundry } from 'viem/chains';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createEngine } from '../engine/engine.ts';
import { createPauseResponder } from '../responder/pauseSender.ts';
import { type ResponderTestChain, startResponderChain, until } from '../responder/testing.ts';
import { drillRule } from '../rules/testing.ts';
import type { Rule, RuleContext } from '../rules/types.ts';
import { createDispatcher } from '../sinks/dispatcher.ts';
import { type BlockReport, type Breaker, createMonitor } from './monitor.ts';
import { createStoreCheckpoints } from './storeCheckpoints.ts';

const patience = 120_000;

const source = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

contract PricePool {
    uint256 public price = 1e18;
    function push(uint256 newPrice) external { price = newPrice; }
}

/// Lends against the pool's spot price; its guardian can pause it.
contract SpotReader {
    PricePool public immutable pool;
    address public immutable guardian;
    bool public paused;
    uint256 public lent;
    constructor(PricePool pool_, address guardian_) { pool = pool_; guardian = guardian_; }
    function borrow() external { require(!paused, "paused"); lent += pool.price(); }
    function pause() external { require(msg.sender == guardian, "not guardian"); require(!paused, "paused"); paused = true; }
}
`;
const abi = parseAbi(['function push(uint256 newPrice)', 'function borrow()', 'function paused() view returns (bool)']);

/** Two rules raised on the pool when the attacker calls it directly: together they cross the pause line. */
function poolRules(pool: string, attacker: string): Rule[] {
  const fired = (context: RuleContext) =>
    context.events.some(
      (event) => event.type === 'call' && event.depth === 0 && event.contract === pool && event.caller === attacker,
    )
      ? [pool]
      : [];
  return [
    drillRule({ id: 'price-pushed', stage: 'exploitation', score: 0.5, fired }),
    drillRule({ id: 'pool-drained', stage: 'impact', score: 0.6, fired }),
  ];
}

describeStore('createMonitor: contracts exposed to an attacked price source', (ctx) => {
  let chain: ResponderTestChain;
  beforeAll(async () => {
    chain = await startResponderChain();
  });
  afterAll(async () => {
    await chain?.stop();
  });

  test('behavior: the pool’s verdict pauses the guarded contract that reads it, in the block the price was pushed; a guarded contract that never read it is left alone', {
    timeout: 3 * patience,
  }, async () => {
    const chainId = foundry.id;
    const { contracts } = await compileSources(new Map([['SpotReader.sol', source]]));
    const { account } = await chain.newGuardian();
    const deploy = async (name: 'PricePool' | 'SpotReader', args: unknown[] = []) =>
      (
        await deployContract(chain.deployer, chain.client, { artifact: contracts[name]!, args, mine: true })
      ).toLowerCase() as Address;
    const pool = await deploy('PricePool');
    const reader = await deploy('SpotReader', [pool, account.address]);
    const otherPool = await deploy('PricePool');
    const bystander = await deploy('SpotReader', [otherPool, account.address]);
    const [, attacker] = await chain.rpc<Address[]>('eth_accounts');
    const send = async (from: Address, to: Address, data: `0x${string}`) => {
      await chain.rpc('eth_sendTransaction', [{ from, to, data }]);
      await chain.mine();
      return chain.client.getBlockNumber({ cacheTime: 0 });
    };

    // The history the monitor learns: a borrower's call reaches the pool through the reader (its
    // caller); the bystander reads only its own pool.
    const borrow = encodeFunctionData({ abi, functionName: 'borrow' });
    await send(chain.deployer.account.address, reader, borrow);
    await send(chain.deployer.account.address, bystander, borrow);

    const responder = createPauseResponder({
      client: chain.client,
      account,
      store: ctx.store,
      chainId,
      allowed: [reader, bystander],
      pollingIntervalMs: 20,
      deadlineMs: 2 * patience,
    });
    const paused: string[] = [];
    const breaker: Breaker = async (request) => {
      paused.push(request.contract);
      const handle = responder.start({ ...request, contract: request.contract as Address });
      const broadcast = await handle.broadcast;
      if (!broadcast) return { status: (await handle.settled).status };
      return { status: 'sent', txHash: broadcast.txHash, broadcastAt: broadcast.atMs };
    };
    const reports: BlockReport[] = [];
    const monitor = createMonitor({
      chainId,
      store: ctx.store,
      sync: createChainSync({
        chainId,
        endpoints: [chain.anvil.rpcUrl],
        checkpointStore: createStoreCheckpoints(ctx.store, { readOnly: true }),
        pollingIntervalMs: 50,
      }),
      engine: createEngine({
        chainId,
        contracts: [
          { address: pool, name: 'Pool', kind: 'pool' },
          { address: otherPool, name: 'OtherPool', kind: 'pool' },
          { address: reader, name: 'Reader', kind: 'market' },
          { address: bystander, name: 'Bystander', kind: 'market' },
        ],
        rules: poolRules(pool, attacker!.toLowerCase()),
      }),
      dispatcher: createDispatcher({ sinks: [] }),
      contracts: [
        { address: pool, name: 'Pool', assets: [], autoPause: false, kind: 'pool' },
        { address: otherPool, name: 'OtherPool', assets: [], autoPause: false, kind: 'pool' },
        { address: reader, name: 'Reader', assets: [], breaker, autoPause: true, kind: 'market' },
        { address: bystander, name: 'Bystander', assets: [], breaker, autoPause: true, kind: 'market' },
      ],
      learnBlocks: 1_000,
      cooldownMs: 0,
      onBlock: (report) => void reports.push(report),
    });
    await monitor.learn();
    const running = monitor.run();
    await monitor.whenFollowing;
    const evaluated = (block: bigint) => until(() => reports.some((report) => report.number === block), patience);

    expect(paused).toEqual([]);

    // Block 1 of the attack: the price is pushed; nothing touches the reader yet.
    const pushed = await send(attacker!, pool, encodeFunctionData({ abi, functionName: 'push', args: [10n ** 20n] }));
    await evaluated(pushed);
    const report = reports.find((r) => r.number === pushed)!;
    // The pool has no automatic pause (its pause is suggested); the reader's breaker was called.
    expect(report.pauses.filter((pause) => pause.outcome).map((pause) => pause.verdict.contract)).toEqual([reader]);
    expect(paused).toEqual([reader]);

    // Block 2: the borrow against the pushed price finds the reader paused.
    await chain.mine();
    expect(await chain.client.readContract({ address: reader, abi, functionName: 'paused' })).toBe(true);
    expect(await chain.client.readContract({ address: bystander, abi, functionName: 'paused' })).toBe(false);
    await expect(
      sendAndConfirm(chain.deployer, chain.client, { to: reader, data: borrow, mine: true }),
    ).rejects.toThrow();
    await monitor.stop();
    await running;

    const verdicts = (await listAlerts(ctx.store, { chainId })).filter((alert) => alert.ruleId === 'composite-score');
    expect(verdicts.map((alert) => [alert.address, (alert.payload as { title: string }).title])).toEqual(
      expect.arrayContaining([[reader, 'Attack on Pool, read by Reader: composite score 1.1']]),
    );
  });
});
