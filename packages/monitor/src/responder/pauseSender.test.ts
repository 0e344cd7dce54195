import { getIncident, getIncidentTimeline, listResponderActions, transitionIncident } from '@bulwark/store';
import { describeStore } from '@bulwark/store/testing';
import { type Address, createPublicClient, type Hex, http, parseGwei, zeroAddress } from 'viem';
import { foundry } from 'viem/chains';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createPauseResponder, type PauseStep } from './pauseSender.ts';
import {
  createTestPauseResponder,
  openTestIncident,
  pausableReadAbi,
  type ResponderTestChain,
  startKeyedProxy,
  startResponderChain,
  until,
} from './testing.ts';

const incidentRequest = (incidentId: string, contract: Address, dryRun = false) => ({
  incidentId,
  chainId: foundry.id,
  contract,
  reason: 'composite score 0.97: outflow 48% of TVL in one block',
  dryRun,
});

describeStore('pause responder', (ctx) => {
  let chain: ResponderTestChain;
  beforeAll(async () => {
    chain = await startResponderChain();
  });
  afterAll(async () => {
    await chain?.stop();
  });

  /** A guardian, a vault it guards, an incident, and a responder that mines a block after each broadcast. */
  async function setup(options: { mineOnBroadcast?: boolean; guardianOf?: Address } = {}) {
    const { account, privateKey } = await chain.newGuardian();
    const vault = await chain.deployPausable(options.guardianOf ?? account.address);
    const incident = await openTestIncident(ctx.store, vault);
    const steps: PauseStep[] = [];
    const responder = createTestPauseResponder(chain, {
      account,
      store: ctx.store,
      vault,
      mineOnBroadcast: options.mineOnBroadcast ?? true,
      fees: { priorityFeeMultiplier: 3 },
      onStep: (step) => steps.push(step),
    });
    return { account, privateKey, vault, incident, responder, steps };
  }

  test('default: pauses the contract, verifies paused(), records each step and contains the incident', async () => {
    const { account, vault, incident, responder, steps } = await setup();
    const nonceBefore = await chain.nonce(account.address);
    const block = await chain.client.getBlock();
    const suggested = await chain.client.estimateMaxPriorityFeePerGas();

    const outcome = await responder.pause(incidentRequest(incident.id, vault));

    expect(outcome).toMatchObject({
      status: 'verified',
      dryRun: false,
      attempts: 1,
      contained: true,
      error: undefined,
    });
    expect(await chain.paused(vault)).toBe(true);
    expect(await chain.nonce(account.address)).toBe(nonceBefore + 1);
    // The benchmark's figures.
    expect(outcome.broadcastAt).toBeInstanceOf(Date);
    expect(outcome.msToBroadcast).toBeGreaterThan(0);
    expect(outcome.msToBroadcast).toBeLessThan(outcome.msToVerified!);
    expect(outcome.broadcastAt!.getTime()).toBeGreaterThanOrEqual(outcome.requestedAt.getTime());

    // The mined transaction: pause() from the guardian, EIP-1559, fees above the market.
    const tx = await chain.client.getTransaction({ hash: outcome.txHash! });
    expect(tx).toMatchObject({
      from: account.address.toLowerCase(),
      to: vault.toLowerCase(),
      input: '0x8456cb59',
      value: 0n,
      type: 'eip1559',
    });
    expect(tx.maxPriorityFeePerGas).toBe(suggested * 3n > parseGwei('2') ? suggested * 3n : parseGwei('2'));
    expect(tx.maxFeePerGas).toBe(block.baseFeePerGas! * 2n + tx.maxPriorityFeePerGas!);
    expect(outcome.transaction).toMatchObject({ to: vault.toLowerCase(), nonce: nonceBefore, data: '0x8456cb59' });

    // One action, whose status went planned → sent → mined → verified, each step on the timeline.
    expect(steps.map((s) => s.status)).toEqual(['planned', 'sent', 'mined', 'verified']);
    const [action] = await listResponderActions(ctx.store, { incidentId: incident.id });
    expect(action).toMatchObject({
      kind: 'pause',
      status: 'verified',
      dryRun: false,
      txHash: outcome.txHash,
      address: vault.toLowerCase(),
    });
    expect(action.data).toMatchObject({
      attempts: 1,
      hashes: [outcome.txHash],
      guardian: account.address,
      reason: expect.stringContaining('composite score'),
      transaction: { data: '0x8456cb59', nonce: nonceBefore, maxPriorityFeePerGas: String(tx.maxPriorityFeePerGas) },
      blockNumber: String(outcome.blockNumber),
    });
    const timeline = await getIncidentTimeline(ctx.store, incident.id);
    expect(timeline.filter((e) => e.kind === 'responder-action').map((e) => e.data.status)).toEqual([
      'planned',
      'sent',
      'mined',
      'verified',
    ]);
    const contained = await getIncident(ctx.store, incident.id);
    expect(contained).toMatchObject({ state: 'contained' });
    expect(contained!.timeToContainMs).toBeGreaterThanOrEqual(0);
  });

  test('behavior: an already paused contract is recorded as such and nothing is sent', async () => {
    const { account, vault, incident, responder } = await setup();
    await chain.deployer.writeContract({
      address: vault,
      abi: pausableReadAbi,
      functionName: 'pause',
      chain: foundry,
      account: chain.deployer.account,
    });
    await chain.mine();
    expect(await chain.paused(vault)).toBe(true);
    const nonceBefore = await chain.nonce(account.address);

    const outcome = await responder.pause(incidentRequest(incident.id, vault));

    expect(outcome).toMatchObject({ status: 'already-paused', attempts: 0, txHash: undefined, contained: false });
    expect(await chain.nonce(account.address)).toBe(nonceBefore);
    const actions = await listResponderActions(ctx.store, { incidentId: incident.id });
    expect(actions.map((a) => [a.kind, a.status, a.txHash])).toEqual([['pause', 'already-paused', null]]);
  });

  test('behavior: a dry run records the exact transaction it would send and sends nothing', async () => {
    const { account, vault, incident, responder, steps } = await setup();
    const nonceBefore = await chain.nonce(account.address);
    const outcome = await responder.pause(incidentRequest(incident.id, vault, true));

    expect(outcome).toMatchObject({ status: 'planned', dryRun: true, attempts: 0, hashes: [], broadcastAt: undefined });
    expect(steps.map((s) => s.status)).toEqual(['planned']);
    const [action] = await listResponderActions(ctx.store, { incidentId: incident.id });
    expect(action).toMatchObject({ status: 'planned', dryRun: true, txHash: null });
    expect(action.data.transaction).toEqual({
      chainId: foundry.id,
      from: account.address,
      to: vault.toLowerCase(),
      data: '0x8456cb59',
      value: '0',
      nonce: nonceBefore,
      gas: String(outcome.transaction!.gas),
      maxFeePerGas: String(outcome.transaction!.maxFeePerGas),
      maxPriorityFeePerGas: String(outcome.transaction!.maxPriorityFeePerGas),
      type: 'eip1559',
    });
    expect(outcome.transaction!.gas).toBeGreaterThan(21_000n);
    // Nothing reached the node: no pending transaction, no nonce used, still unpaused after a block.
    expect(await chain.pendingCount()).toBe(0);
    await chain.mine();
    expect(await chain.nonce(account.address)).toBe(nonceBefore);
    expect(await chain.paused(vault)).toBe(false);
    expect((await getIncident(ctx.store, incident.id))!.state).toBe('detected');
  });

  test('behavior: a responder created with dryRun forces every request to be a dry run', async () => {
    const { account, vault, incident } = await setup();
    const responder = createPauseResponder({
      client: chain.client,
      account,
      store: ctx.store,
      chainId: foundry.id,
      allowed: [vault],
      dryRun: true,
    });
    const outcome = await responder.pause(incidentRequest(incident.id, vault, false));
    expect(outcome).toMatchObject({ status: 'planned', dryRun: true });
    expect(await chain.pendingCount()).toBe(0);
  });

  test('error: pause() reverting in simulation (not the guardian) is recorded as failed with the reason', async () => {
    const { account, vault, incident, responder } = await setup({ guardianOf: zeroAddress });
    const outcome = await responder.pause(incidentRequest(incident.id, vault));

    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatchObject({ name: 'PauseSimulationError', retryable: false });
    expect(outcome.error!.message).toContain(`NotGuardianOrAdmin(${account.address})`);
    expect(await chain.pendingCount()).toBe(0);
    const [action] = await listResponderActions(ctx.store, { incidentId: incident.id });
    expect(action).toMatchObject({ status: 'failed', txHash: null });
    expect(action.data).toMatchObject({ revertReason: `NotGuardianOrAdmin(${account.address})` });
    expect((await getIncident(ctx.store, incident.id))!.state).toBe('detected');
  });

  test('error: a contract not in `allowed`, or another chain, is refused and recorded; nothing is read or sent', async () => {
    const { vault, incident, responder } = await setup();
    const other = await chain.deployPausable(responder.guardian);
    const refused = await responder.pause(incidentRequest(incident.id, other));
    expect(refused).toMatchObject({ status: 'refused', error: { name: 'PauseRefusedError' } });
    expect(refused.error!.message).toContain('not in its `allowed` list');
    const wrongChain = await responder.pause({ ...incidentRequest(incident.id, vault), chainId: 1 });
    expect(wrongChain).toMatchObject({ status: 'refused' });
    expect(wrongChain.error!.message).toContain('chain 1');
    expect(await chain.pendingCount()).toBe(0);
    expect(await chain.paused(other)).toBe(false);
    const actions = await listResponderActions(ctx.store, { incidentId: incident.id });
    expect(actions.map((a) => a.status)).toEqual(['refused', 'refused']);
  });

  test('behavior: re-sends the same nonce each block with fees bumped by 12.5% until mined', async () => {
    const { account, vault, incident, responder, steps } = await setup({ mineOnBroadcast: false });
    const nonceBefore = await chain.nonce(account.address);
    const pending = responder.pause(incidentRequest(incident.id, vault));

    // Two blocks without the transaction (dropped from the pool: a builder that ignores it), then one with it.
    for (const attempt of [1, 2]) {
      await until(() => steps.filter((s) => s.status === 'sent' || s.status === 'resent').length === attempt);
      await chain.rpc('anvil_dropAllTransactions');
      await chain.mine();
    }
    await until(() => steps.filter((s) => s.status === 'resent').length === 2);
    await chain.mine();
    const outcome = await pending;

    expect(outcome).toMatchObject({ status: 'verified', attempts: 3 });
    expect(new Set(outcome.hashes).size).toBe(3);
    expect(outcome.txHash).toBe(outcome.hashes[2]);
    const sends = steps.filter((s) => s.status === 'sent' || s.status === 'resent');
    expect(sends.map((s) => s.status)).toEqual(['sent', 'resent', 'resent']);
    for (let i = 1; i < sends.length; i++) {
      const before = sends[i - 1].fees!;
      const after = sends[i].fees!;
      // At least +12.5% on both fees (the replacement rule), rounded up.
      expect(after.maxPriorityFeePerGas * 1000n).toBeGreaterThanOrEqual(before.maxPriorityFeePerGas * 1125n);
      expect(after.maxFeePerGas * 1000n).toBeGreaterThanOrEqual(before.maxFeePerGas * 1125n);
    }
    const mined = await chain.client.getTransaction({ hash: outcome.txHash! });
    expect(mined.nonce).toBe(nonceBefore);
    expect(mined.maxPriorityFeePerGas).toBe(sends[2].fees!.maxPriorityFeePerGas);
    expect(await chain.nonce(account.address)).toBe(nonceBefore + 1);
    expect(await chain.paused(vault)).toBe(true);
    expect(steps.map((s) => s.status)).toEqual(['planned', 'sent', 'resent', 'resent', 'mined', 'verified']);
    const [action] = await listResponderActions(ctx.store, { incidentId: incident.id });
    expect(action.data).toMatchObject({ attempts: 3, hashes: outcome.hashes, minedTxHash: outcome.txHash });
    expect(
      (action.data.sends as { hash: Hex; nonce: number; maxPriorityFeePerGas: string }[]).map((s) => [
        s.hash,
        s.nonce,
        s.maxPriorityFeePerGas,
      ]),
    ).toEqual(sends.map((s, i) => [outcome.hashes[i], nonceBefore, String(s.fees!.maxPriorityFeePerGas)]));
  });

  test('behavior: when the base fee spikes past the sent transaction, the re-send follows the market', async () => {
    const { account, vault, incident, responder, steps } = await setup({ mineOnBroadcast: false });
    const nonceBefore = await chain.nonce(account.address);
    const pending = responder.pause(incidentRequest(incident.id, vault));
    await until(() => steps.some((s) => s.status === 'sent'));
    const first = steps.find((s) => s.status === 'sent')!;
    // A gas spike: the next block's base fee is 4× what the first transaction may pay, so it is left out.
    const spike = first.fees!.maxFeePerGas * 4n;
    await chain.rpc('anvil_setNextBlockBaseFeePerGas', [`0x${spike.toString(16)}`]);
    await chain.mine();
    await until(() => steps.some((s) => s.status === 'resent'));
    await chain.mine();
    const outcome = await pending;

    expect(outcome).toMatchObject({ status: 'verified', attempts: 2 });
    const resent = steps.find((s) => s.status === 'resent')!;
    // Not only +12.5%: 2 × the spiked base fee + the priority fee, which the next block accepts.
    expect(resent.fees!.maxFeePerGas).toBe(spike * 2n + resent.fees!.maxPriorityFeePerGas);
    expect(resent.fees!.maxPriorityFeePerGas * 1000n).toBeGreaterThanOrEqual(first.fees!.maxPriorityFeePerGas * 1125n);
    const mined = await chain.client.getTransaction({ hash: outcome.txHash! });
    expect(mined).toMatchObject({ nonce: nonceBefore, hash: outcome.hashes[1] });
    await expect(chain.client.getTransactionReceipt({ hash: outcome.hashes[0] })).rejects.toThrow();
    expect(await chain.paused(vault)).toBe(true);
  });

  test('error: not mined before the deadline is recorded as failed, naming the nonce left pending', async () => {
    const { vault, incident, account } = await setup();
    const responder = createPauseResponder({
      client: chain.client,
      account,
      store: ctx.store,
      chainId: foundry.id,
      allowed: [vault],
      pollingIntervalMs: 20,
      deadlineMs: 800,
    });
    const outcome = await responder.pause(incidentRequest(incident.id, vault));
    expect(outcome).toMatchObject({ status: 'failed', attempts: 1, error: { name: 'PauseFailedError' } });
    expect(outcome.error!.message).toMatch(/not mined within 800 ms.*nonce \d+\) may still be mined/s);
    const [action] = await listResponderActions(ctx.store, { incidentId: incident.id });
    expect(action).toMatchObject({ status: 'failed', txHash: outcome.hashes[0] });
    expect((await getIncident(ctx.store, incident.id))!.state).toBe('detected');
    await chain.rpc('anvil_dropAllTransactions');
  });

  test('behavior: concurrent requests run one at a time; the second finds the contract paused', async () => {
    const { vault, incident, responder } = await setup();
    const [first, second] = await Promise.all([
      responder.pause(incidentRequest(incident.id, vault)),
      responder.pause(incidentRequest(incident.id, vault)),
    ]);
    expect([first.status, second.status]).toEqual(['verified', 'already-paused']);
    expect(await chain.paused(vault)).toBe(true);
  });

  test('behavior: an incident already past containment is left alone; the pause still happens', async () => {
    const { vault, incident, responder } = await setup();
    await transitionIncident(ctx.store, { id: incident.id, to: 'closed', actor: 'alice', note: 'false positive' });
    const outcome = await responder.pause(incidentRequest(incident.id, vault));
    expect(outcome).toMatchObject({ status: 'verified', contained: false });
    expect((await getIncident(ctx.store, incident.id))!.state).toBe('closed');
  });

  test('behavior: the pause does not wait for the store: a record that fails (unknown incident) is reported, the pause goes on', async () => {
    const { vault, responder } = await setup();
    const outcome = await responder.pause(incidentRequest('no-such-incident', vault));
    expect(outcome).toMatchObject({ status: 'verified', actionId: '' });
    expect(outcome.recordErrors).toEqual([expect.stringMatching(/^planned: .*no-such-incident/)]);
    expect(await chain.paused(vault)).toBe(true);
  });

  test('security: the RPC key and the guardian key appear in no error, step or stored record', async () => {
    const rpcKey = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const proxy = await startKeyedProxy(chain.anvil.rpcUrl, rpcKey);
    try {
      const { account, privateKey, vault, incident } = await setup();
      const keyedClient = createPublicClient({ chain: foundry, transport: http(proxy.url) });
      const steps: PauseStep[] = [];
      const responder = createPauseResponder({
        client: keyedClient,
        account,
        store: ctx.store,
        chainId: foundry.id,
        allowed: [vault],
        pollingIntervalMs: 20,
        onStep: (step) => {
          steps.push(step);
          if (step.status === 'sent') void chain.mine();
        },
      });
      const outcome = await responder.pause(incidentRequest(incident.id, vault));
      expect(outcome.status).toBe('verified');

      // A node that fails: the error names the failing call, never the URL or its key.
      const brokenClient = createPublicClient({
        chain: foundry,
        transport: http(proxy.url.replace(rpcKey, `${rpcKey}0000`), { retryCount: 0 }),
      });
      const broken = createPauseResponder({
        client: brokenClient,
        account,
        store: ctx.store,
        chainId: foundry.id,
        allowed: [vault],
      });
      const failed = await broken.pause(incidentRequest(incident.id, vault));
      expect(failed).toMatchObject({ status: 'failed', error: { name: 'ResponderRpcError', retryable: true } });
      expect(failed.error!.message).toMatch(/failed on the responder's RPC endpoint/);

      const texts = [
        JSON.stringify(await listResponderActions(ctx.store, { incidentId: incident.id })),
        JSON.stringify(await getIncidentTimeline(ctx.store, incident.id), (_k, v) =>
          typeof v === 'bigint' ? String(v) : v,
        ),
        JSON.stringify(steps, (_k, v) => (typeof v === 'bigint' ? String(v) : v)),
        failed.error!.message,
        String(failed.error!.details),
        JSON.stringify(failed.error),
        String((failed.error as { cause?: unknown }).cause ?? ''),
      ];
      for (const text of texts) {
        expect(text).not.toContain(rpcKey);
        expect(text).not.toContain(proxy.url);
        expect(text.toLowerCase()).not.toContain(privateKey.slice(2).toLowerCase());
      }
    } finally {
      await proxy.close();
    }
  });
});

test('error: bad configuration is refused when the responder is created', async () => {
  const client = createPublicClient({ chain: foundry, transport: http('http://127.0.0.1:1') });
  const { privateKeyToAccount } = await import('viem/accounts');
  const account = privateKeyToAccount(`0x${'11'.repeat(32)}` as Hex);
  const base = { client, account, store: {} as never, chainId: 1, allowed: [] as Address[] };
  expect(() => createPauseResponder({ ...base, fees: { bumpPercent: 10 } })).toThrow(
    /bumpPercent must be between 12.5/,
  );
  expect(() => createPauseResponder({ ...base, fees: { priorityFeeMultiplier: 0.5 } })).toThrow(/at least 1/);
  expect(() => createPauseResponder({ ...base, chainId: 0 })).toThrow(/chainId 0/);
  expect(() => createPauseResponder({ ...base, client: undefined })).toThrow(/give the chain’s RPC `pool`/);
  expect(() =>
    createPauseResponder({ ...base, relays: [{ url: 'http://127.0.0.1:1', method: 'eth_sendBundle' as never }] }),
  ).toThrow(/relays\[0\]\.method "eth_sendBundle" is not supported/);
  expect(() => createPauseResponder({ ...base, fees: { outbidMarginPercent: -1 } })).toThrow(/outbidMarginPercent/);
  expect(() => createPauseResponder({ ...base, relaysOnly: true })).toThrow(/`relaysOnly` needs at least one relay/);
  expect(() => createPauseResponder({ ...base, allowed: ['0x1234' as Address] })).toThrow(/allowed\[0\]/);
  expect(() =>
    createPauseResponder({ ...base, account: { address: account.address, type: 'json-rpc' } as never }),
  ).toThrow(/local account/);
});
