/**
 * The respond role against real parts: nats-server (the decisions stream), the store (both
 * engines), and anvil with a GuardianPausable vault its guardian key pauses. Decisions are
 * published as detect publishes them; what respond does is read back from the chain and the
 * store's claims. Waits are on conditions, never on time.
 */

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { allRules, type CompositeVerdict, type MonitorConfig, parseMonitorConfig } from '@bulwark/monitor';
import { block, frame, tx, user } from '@bulwark/monitor/rules/testing';
import { listDoneClaims } from '@bulwark/store';
import { describeStore } from '@bulwark/store/testing';
import { type Address, encodeFunctionData, type Hex } from 'viem';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { pausableReadAbi, type ResponderTestChain, startResponderChain } from '../../monitor/src/responder/testing.ts';
import { encodeMessage } from './codec.ts';
import { publishBlock } from './ingest.ts';
import { type ClusterConnection, connectCluster, decisionSubject } from './jetstream.ts';
import { type DecisionMessage, decisionMessageId } from './messages.ts';
import { runRespond } from './respond.ts';
import { type NatsServer, natsSkipReason, startNatsServer } from './testing.ts';

const skip = natsSkipReason();
const chainId = 31337;
const pausedSelector = '0x5c975abb';

/**
 * An RPC endpoint in front of anvil that counts the `paused()` reads of each contract: what the
 * pause senders and respond read, seen from outside.
 */
async function countingProxy(
  target: string,
): Promise<{ url: string; reads(contract: Address): number; close(): void }> {
  const counts = new Map<string, number>();
  const count = (request: { method?: string; params?: unknown[] }) => {
    const call = request.params?.[0] as { to?: string; data?: string; input?: string } | undefined;
    const data = call?.data ?? call?.input;
    if (request.method === 'eth_call' && call?.to && data?.startsWith(pausedSelector))
      counts.set(call.to.toLowerCase(), (counts.get(call.to.toLowerCase()) ?? 0) + 1);
  };
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString();
    const parsed = JSON.parse(body) as
      | { method?: string; params?: unknown[] }
      | { method?: string; params?: unknown[] }[];
    for (const entry of Array.isArray(parsed) ? parsed : [parsed]) count(entry);
    const answer = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    response.writeHead(answer.status, { 'content-type': 'application/json' });
    response.end(await answer.text());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    reads: (contract) => counts.get(contract.toLowerCase()) ?? 0,
    close: () => server.close(),
  };
}

describeStore('respond role (nats-server + anvil)', (ctx) => {
  if (skip !== undefined) {
    test.skip(skip, () => {});
    return;
  }
  let nats: NatsServer;
  let connection: ClusterConnection;
  let chain: ResponderTestChain;
  let vault: Address;
  /** Another vault the same guardian pauses: what only its own blocks make respond read again. */
  let quiet: Address;
  let guardian: Address;
  let proxy: Awaited<ReturnType<typeof countingProxy>>;
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
    quiet = await chain.deployPausable(guardian);
    [admin] = await chain.rpc<Address[]>('eth_accounts');
    proxy = await countingProxy(chain.anvil.rpcUrl);
    const guarded = (address: Address, name: string) => ({
      chain: chainId,
      address,
      name,
      kind: 'vault',
      assets: ['native'],
      breaker: { kind: 'guardian', autoPause: true, guardian: { privateKeyEnv: 'GUARDIAN_KEY' } },
    });
    config = parseMonitorConfig(
      {
        chains: [{ id: chainId, rpc: [proxy.url], pollingIntervalMs: 100 }],
        contracts: [guarded(vault, 'Vault'), guarded(quiet, 'Quiet')],
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
    proxy?.close();
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

  test('behavior: the pause senders read again only the contracts each block of the stream touched', {
    timeout: 300_000,
  }, async () => {
    await expect
      .poll(() => lines.some((line) => line.includes('told each block from the block stream')), { timeout: 120_000 })
      .toBe(true);
    /** Mines a block and publishes it as ingest does, with one call into `into`. */
    async function publish(into: Address): Promise<void> {
      await chain.mine();
      const head = await chain.client.getBlock({ blockTag: 'latest' });
      const judged = block(Number(head.number), Number(head.timestamp), [tx(user(1), frame(user(1), into))]);
      const message = {
        kind: 'block' as const,
        block: { ...judged, hash: head.hash },
        tip: { number: head.number, hash: head.hash },
      };
      await publishBlock(connection, chainId, message, stop.signal);
    }
    // The first head told reads every contract (nothing known of the blocks before it).
    const [vaultBefore, quietBefore] = [proxy.reads(vault), proxy.reads(quiet)];
    await publish(quiet);
    await expect
      .poll(() => proxy.reads(vault) > vaultBefore && proxy.reads(quiet) > quietBefore, { timeout: 60_000 })
      .toBe(true);
    // Then blocks in a row that touch only the quiet vault: only it is read again, once a block.
    const vaultReads = proxy.reads(vault);
    for (let i = 1; i <= 3; i++) {
      const before = proxy.reads(quiet);
      await publish(quiet);
      // Each prepare runs after the one before ended: once this read is seen, the last block's is complete.
      await expect.poll(() => proxy.reads(quiet), { timeout: 60_000 }).toBeGreaterThan(before);
    }
    expect(proxy.reads(vault)).toBe(vaultReads);
    // A block touching the vault reads it again.
    await publish(vault);
    await expect.poll(() => proxy.reads(vault), { timeout: 60_000 }).toBeGreaterThan(vaultReads);
  });

  test('behavior: a decision with nothing to act on is acknowledged without a claim; one with a verdict is claimed', {
    timeout: 300_000,
  }, async () => {
    const decisionClaims = async () =>
      (await listDoneClaims(ctx.store, { prefix: 'decision:', since: new Date(0) })).length;
    const claimsBefore = await decisionClaims();
    const empty: DecisionMessage = {
      kind: 'decision',
      chainId,
      partition: 1,
      block: await mined(),
      alerts: [],
      verdicts: [],
      txHash: undefined,
      competitors: [],
      seenAt: undefined,
    };
    const before = handled.length;
    await connection.js.publish(decisionSubject(chainId, 1), encodeMessage(empty), { msgID: decisionMessageId(empty) });
    await expect.poll(() => handled.length, { timeout: 120_000, interval: 50 }).toBeGreaterThan(before);
    expect(handled.at(-1)).toMatchObject({ id: decisionMessageId(empty), pauses: 0 });
    expect(await decisionClaims()).toBe(claimsBefore);
    await attackDecision();
    expect(await decisionClaims()).toBe(claimsBefore + 1);
  });
});
