/**
 * The respond role against real parts: nats-server (the decisions stream), the store (both
 * engines), and anvil with a GuardianPausable vault its guardian key pauses. Decisions are
 * published as detect publishes them; what respond does is read back from the chain and the
 * store's claims. Waits are on conditions, never on time.
 */
import { allRules, type CompositeVerdict, type MonitorConfig, parseMonitorConfig } from '@bulwark/monitor';
import { listDoneClaims } from '@bulwark/store';
import { describeStore } from '@bulwark/store/testing';
import { type Address, encodeFunctionData, type Hex } from 'viem';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { pausableReadAbi, type ResponderTestChain, startResponderChain } from '../../monitor/src/responder/testing.ts';
import { encodeMessage } from './codec.ts';
import { type ClusterConnection, connectCluster, decisionSubject } from './jetstream.ts';
import { type DecisionMessage, decisionMessageId } from './messages.ts';
import { runRespond } from './respond.ts';
import { type NatsServer, natsSkipReason, startNatsServer } from './testing.ts';

const skip = natsSkipReason();
const chainId = 31337;

describeStore('respond role (nats-server + anvil)', (ctx) => {
  if (skip !== undefined) {
    test.skip(skip, () => {});
    return;
  }
  let nats: NatsServer;
  let connection: ClusterConnection;
  let chain: ResponderTestChain;
  let vault: Address;
  let guardian: Address;
  let admin: Address;
  let config: MonitorConfig;
  let guardianKey: Hex;
  const lines: string[] = [];
  const handled: { id: string; pauses: number }[] = [];
  const stop = new AbortController();
  let running: Promise<void>;

  beforeAll(async () => {
    nats = await startNatsServer();
    connection = await connectCluster(
      { natsUrl: nats.url, partitions: 2, ackWaitMs: 5_000, leaseMs: 2_000, duplicateWindowMs: 60_000 },
      'respond-test',
    );
    chain = await startResponderChain();
    const key = await chain.newGuardian();
    guardian = key.account.address;
    guardianKey = key.privateKey;
    vault = await chain.deployPausable(guardian);
    [admin] = await chain.rpc<Address[]>('eth_accounts');
    config = parseMonitorConfig(
      {
        chains: [{ id: chainId, rpc: [chain.anvil.rpcUrl], pollingIntervalMs: 100 }],
        contracts: [
          {
            chain: chainId,
            address: vault,
            name: 'Vault',
            kind: 'vault',
            assets: ['native'],
            breaker: { kind: 'guardian', autoPause: true, guardian: { privateKeyEnv: 'GUARDIAN_KEY' } },
          },
        ],
        alerts: { cooldownMs: 0 },
        sinks: [],
      },
      { rules: allRules, env: { GUARDIAN_KEY: guardianKey }, file: 'monitor.json' },
    );
    running = runRespond({
      config,
      store: ctx.store,
      rules: allRules,
      env: { GUARDIAN_KEY: guardianKey },
      log: (line) => lines.push(line),
      connection,
      owner: 'respond-test',
      signal: stop.signal,
      onHandled: (entry) => handled.push(entry),
    });
  });

  afterAll(async () => {
    stop.abort();
    await running?.catch(() => {});
    await connection?.close();
    await nats?.stop();
    await chain?.stop();
  });

  /** Mines a block and returns it as a decision's block. */
  async function mined() {
    await chain.mine();
    const block = await chain.client.getBlock({ blockTag: 'latest' });
    return { number: block.number, hash: block.hash, parentHash: block.parentHash, timestamp: block.timestamp };
  }

  /** Publishes a decision with a pause verdict on the vault starting at its block, and waits until respond handled it. */
  async function attackDecision(): Promise<DecisionMessage & { kind: 'decision' }> {
    const block = await mined();
    const verdict: CompositeVerdict = {
      contract: vault.toLowerCase(),
      score: 1,
      signals: [
        {
          ruleId: 'reentrancy',
          stage: 'exploitation',
          contract: vault.toLowerCase(),
          score: 1,
          severity: 'critical',
          title: 'Re-entry',
          summary: 'The vault was re-entered',
          details: {},
        },
      ],
      stages: ['exploitation'],
      pause: true,
      firstBlock: block.number,
    };
    const decision: DecisionMessage & { kind: 'decision' } = {
      kind: 'decision',
      chainId,
      partition: 0,
      block,
      alerts: [],
      verdicts: [verdict],
      txHash: undefined,
      competitors: [],
      seenAt: undefined,
    };
    const before = handled.length;
    await connection.js.publish(decisionSubject(chainId, 0), encodeMessage(decision), {
      msgID: decisionMessageId(decision),
    });
    await expect.poll(() => handled.length, { timeout: 120_000, interval: 50 }).toBeGreaterThan(before);
    return decision;
  }

  /** Mines until the vault reads `want` (the pause sits in the pool until a block holds it). */
  async function minedUntilPaused(want: boolean): Promise<void> {
    await expect
      .poll(
        async () => {
          if ((await chain.paused(vault)) !== want) await chain.mine();
          return chain.paused(vault);
        },
        { timeout: 60_000, interval: 50 },
      )
      .toBe(want);
  }

  async function adminCall(functionName: 'requestUnpause' | 'unpause'): Promise<void> {
    const data = encodeFunctionData({ abi: pausableReadAbi, functionName });
    const hash = await chain.rpc<Hex>('eth_sendTransaction', [{ from: admin, to: vault, data, gas: '0x30000' }]);
    await chain.mine();
    const receipt = await chain.client.waitForTransactionReceipt({ hash });
    expect(receipt.status).toBe('success');
  }

  const claimOf = async (decision: DecisionMessage & { kind: 'decision' }) => {
    const key = `pause:${chainId}:${vault.toLowerCase()}:${decision.verdicts[0]!.firstBlock}`;
    const done = await listDoneClaims(ctx.store, { prefix: key, since: new Date(0) });
    return done.find((claim) => claim.key === key);
  };

  test('behavior: after the admin unpauses, a new attack on the contract is paused again', {
    timeout: 300_000,
  }, async () => {
    const first = await attackDecision();
    await minedUntilPaused(true);
    expect((await claimOf(first))?.outcome).toBe('sent');
    expect(await chain.nonce(guardian)).toBe(1);

    // The admin lifts the pause (request, the contract's delay, unpause).
    await adminCall('requestUnpause');
    await chain.rpc('evm_increaseTime', [3_601]);
    await adminCall('unpause');
    expect(await chain.paused(vault)).toBe(false);

    // A new attack: respond reads paused() (false), releases its pause, and pauses again.
    const second = await attackDecision();
    expect((await claimOf(second))?.outcome).toBe('sent');
    await minedUntilPaused(true);
    expect(await chain.nonce(guardian)).toBe(2);
    expect(lines.some((line) => line.includes('unpaused by its admin'))).toBe(true);

    // While it stays paused, a third verdict is turned away without a transaction.
    const third = await attackDecision();
    expect((await claimOf(third))?.outcome).toBe('paused-before');
    expect(await chain.nonce(guardian)).toBe(2);
  });
});
