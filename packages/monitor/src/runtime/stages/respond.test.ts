import { getCheckpoint, getIncidentTimeline, listAlerts, listIncidents, listPendingDeliveries } from '@bulwark/store';
import { describeStore } from '@bulwark/store/testing';
import type { Hex } from 'viem';
import { expect, test } from 'vitest';
import type { CompositeVerdict } from '../../engine/composite.ts';
import type { Signal } from '../../rules/types.ts';
import type { Alert, Sink } from '../../sinks/alert.ts';
import { createDispatcher } from '../../sinks/dispatcher.ts';
import { sampleAlert } from '../../sinks/testing.ts';
import type { PauseRequest } from '../monitor.ts';
import { createResponder } from './respond.ts';

const hash = (n: number, fork = 'a') => `0x${fork}${n.toString(16).padStart(63, '0')}` as Hex;
const block = (n: number, fork = 'a') => ({
  number: BigInt(n),
  hash: hash(n, fork),
  parentHash: hash(n - 1, fork),
  timestamp: 1_700_000_000n + BigInt(n),
});

/** A sink that keeps what it got and can be switched off. */
function memorySink(name: string): Sink & { sent: Alert[]; retracted: Alert[]; down: boolean } {
  const sink = {
    name,
    sent: [] as Alert[],
    retracted: [] as Alert[],
    down: false,
    async send(alert: Alert) {
      if (sink.down) throw new Error(`${name} is down`);
      sink.sent.push(alert);
    },
    async retract(alert: Alert) {
      if (sink.down) throw new Error(`${name} is down`);
      sink.retracted.push(alert);
    },
  };
  return sink;
}

const signal = (contract: string): Signal => ({
  ruleId: 'flash-loan',
  stage: 'exploitation',
  contract,
  score: 0.7,
  severity: 'high',
  title: 'Flash loan',
  summary: 'A flash loan went through the vault.',
  details: {},
});

const verdict = (contract: string): CompositeVerdict => ({
  contract,
  score: 1.2,
  signals: [signal(contract)],
  stages: ['exploitation'],
  pause: true,
  firstBlock: 10n,
});

describeStore('respond stage', (ctx) => {
  let chainId = 100;
  /** A responder on a chain of its own (the suite shares one store). */
  function setup(options: { breaker?: (request: PauseRequest) => Promise<{ status: string }> } = {}) {
    chainId++;
    const first = memorySink('first');
    const second = memorySink('second');
    const vault = `0x${chainId.toString(16).padStart(40, '0')}`;
    const responder = createResponder({
      chainId,
      store: ctx.store,
      dispatcher: createDispatcher({ sinks: [first, second], maxAttempts: 1, sleep: async () => {} }),
      contracts: [
        { address: vault, name: 'Vault', assets: [], breaker: options.breaker, autoPause: !!options.breaker },
      ],
      decide: { chainId, names: new Map([[vault, 'Vault']]) },
      cooldownMs: 60_000,
      log: () => {},
    });
    const alert = (overrides: Partial<Alert> = {}) =>
      sampleAlert({ id: crypto.randomUUID(), chainId, contract: vault, dedupeKey: crypto.randomUUID(), ...overrides });
    return { responder, first, second, vault, alert };
  }

  test("default: a block's alerts, their incident and the cursor are recorded together, then sent to every sink", async () => {
    const { responder, first, second, alert } = setup();
    const raised = alert();
    const toSend = await responder.record({ alerts: [{ alert: raised }], block: block(10), cursor: true });
    expect(toSend).toHaveLength(1);
    expect(toSend[0]?.incidentId).toBeDefined();
    expect(await getCheckpoint(ctx.store, chainId)).toMatchObject({ blockNumber: 10n, blockHash: hash(10) });
    expect(await listIncidents(ctx.store, { chainId })).toHaveLength(1);
    expect(await listPendingDeliveries(ctx.store, { chainId })).toMatchObject([
      { kind: 'alert', sinks: ['first', 'second'] },
    ]);
    await responder.deliver(toSend);
    expect(first.sent.map((sent) => sent.id)).toEqual([raised.id]);
    expect(second.sent.map((sent) => sent.id)).toEqual([raised.id]);
    expect(await listPendingDeliveries(ctx.store, { chainId })).toEqual([]);
  });

  test('behavior: a block that cannot be recorded leaves neither its alerts nor a moved cursor', async () => {
    const { responder, alert } = setup();
    await responder.record({ alerts: [], block: block(20), cursor: true });
    const broken = { ...block(21), hash: '0xnot-a-hash' as Hex };
    await expect(responder.record({ alerts: [{ alert: alert() }], block: broken, cursor: true })).rejects.toThrow();
    expect(await listAlerts(ctx.store, { chainId })).toEqual([]);
    expect(await listIncidents(ctx.store, { chainId })).toEqual([]);
    expect(await getCheckpoint(ctx.store, chainId)).toMatchObject({ blockNumber: 20n });
    // Evaluated again (after a restart), it is recorded once.
    const again = alert();
    expect(await responder.record({ alerts: [{ alert: again }], block: block(21), cursor: true })).toHaveLength(1);
    expect(await listAlerts(ctx.store, { chainId })).toHaveLength(1);
  });

  test('behavior: the store cooldown is the one cooldown; a duplicate is neither stored nor sent', async () => {
    const { responder, first, alert } = setup();
    const one = alert({ dedupeKey: 'same' });
    await responder.deliver(await responder.record({ alerts: [{ alert: one }], block: block(30), cursor: true }));
    const twice = alert({ dedupeKey: 'same' });
    expect(await responder.record({ alerts: [{ alert: twice }], block: block(31), cursor: true })).toEqual([]);
    expect(first.sent.map((sent) => sent.id)).toEqual([one.id]);
    expect(await listAlerts(ctx.store, { chainId })).toHaveLength(1);
  });

  test('behavior: a sink that was down is sent what it missed from the outbox, and only that', async () => {
    const { responder, first, second, alert } = setup();
    second.down = true;
    const missed = alert();
    await responder.deliver(await responder.record({ alerts: [{ alert: missed }], block: block(40), cursor: true }));
    expect(first.sent).toHaveLength(1);
    expect(await listPendingDeliveries(ctx.store, { chainId })).toMatchObject([{ sinks: ['second'] }]);
    second.down = false;
    expect(await responder.drainOutbox()).toEqual({ alerts: 1, retractions: 0 });
    expect(second.sent.map((sent) => sent.id)).toEqual([missed.id]);
    expect(first.sent).toHaveLength(1);
    expect(await responder.drainOutbox()).toEqual({ alerts: 0, retractions: 0 });
  });

  test('behavior: a reorg retracts at the sinks that got the alert and moves the cursor back', async () => {
    const { responder, first, second, alert } = setup();
    const kept = alert();
    const dropped = alert();
    await responder.deliver(await responder.record({ alerts: [{ alert: kept }], block: block(50), cursor: true }));
    second.down = true;
    await responder.deliver(await responder.record({ alerts: [{ alert: dropped }], block: block(51), cursor: true }));
    second.down = false;
    expect(await responder.reorg({ number: 50n, hash: hash(50) }, 51n)).toBe(1);
    expect(first.retracted).toMatchObject([{ id: dropped.id, retracted: { reason: expect.stringMatching(/reorg/) } }]);
    // The second sink never got it: no retraction, and it is no longer owed the alert.
    expect(second.retracted).toEqual([]);
    expect(await listPendingDeliveries(ctx.store, { chainId })).toEqual([]);
    expect(await getCheckpoint(ctx.store, chainId)).toMatchObject({ blockNumber: 50n, blockHash: hash(50) });
    expect((await listAlerts(ctx.store, { chainId, status: 'active' })).map((a) => a.id)).toEqual([kept.id]);
  });

  test('behavior: a verdict pauses through the breaker once, before its incident is written; the records follow', async () => {
    const requests: PauseRequest[] = [];
    const openWhenCalled: string[][] = [];
    const { responder, vault } = setup({
      breaker: async (request) => {
        // Nothing is written before the pause: the incident does not exist yet…
        openWhenCalled.push((await listIncidents(ctx.store, { chainId })).map((incident) => incident.id));
        // …and the breaker's records, which need it, wait for it.
        await request.recordAfter;
        expect((await listIncidents(ctx.store, { chainId })).map((incident) => incident.id)).toContain(
          request.incidentId,
        );
        requests.push(request);
        return { status: 'sent' };
      },
    });
    await responder.loadIncidents();
    const acted = await responder.act([verdict(vault)], { number: 60n }, hash(1));
    expect(requests).toMatchObject([{ contract: vault, chainId, txHashes: [hash(1)], dryRun: false }]);
    expect(acted.pauses).toMatchObject([{ incidentId: requests[0]?.incidentId, outcome: { status: 'sent' } }]);
    expect(openWhenCalled).toEqual([[]]);
    expect(acted.alerts).toMatchObject([{ alert: { ruleId: 'composite-score', severity: 'critical' } }]);
    expect((await responder.act([verdict(vault)], { number: 61n }, undefined)).pauses).toEqual([]);
    expect(requests).toHaveLength(1);
    // The admin unpaused: a new attack is acted on again.
    expect(responder.released(vault)).toBe(true);
    await responder.record({ alerts: acted.alerts, block: block(61) });
    expect((await responder.act([verdict(vault)], { number: 62n }, undefined)).pauses).toHaveLength(1);
  });

  test('behavior: open incidents loaded at start are found without a store read; a new attack files under them', async () => {
    const first = setup({ breaker: async () => ({ status: 'sent' }) });
    const acted = await first.responder.act([verdict(first.vault)], { number: 80n }, undefined);
    await first.responder.record({ alerts: acted.alerts, block: block(80) });
    // A restart: a new responder on the same chain and store.
    const requests: PauseRequest[] = [];
    const restarted = createResponder({
      chainId,
      store: ctx.store,
      dispatcher: createDispatcher({ sinks: [], maxAttempts: 1, sleep: async () => {} }),
      contracts: [
        {
          address: first.vault,
          name: 'Vault',
          assets: [],
          breaker: async (request) => {
            requests.push(request);
            return { status: 'sent' };
          },
          autoPause: true,
        },
      ],
      decide: { chainId, names: new Map([[first.vault, 'Vault']]) },
      log: () => {},
    });
    await restarted.loadIncidents();
    await restarted.act([verdict(first.vault)], { number: 81n }, undefined);
    expect(requests.map((request) => request.incidentId)).toEqual([acted.pauses[0]?.incidentId]);
    expect(await listIncidents(ctx.store, { chainId })).toHaveLength(1);
  });

  test('behavior: without an automatic pause, a pause is suggested once per incident', async () => {
    const { responder, vault } = setup();
    const first = await responder.act([verdict(vault)], { number: 70n }, undefined);
    expect(first.suggestions).toMatchObject([{ contract: vault }]);
    await responder.record({ alerts: first.alerts, suggestions: first.suggestions, block: block(70), cursor: true });
    const second = await responder.act([verdict(vault)], { number: 71n }, undefined);
    expect(second.suggestions).toEqual([]);
    const [incident] = await listIncidents(ctx.store, { chainId });
    const timeline = await getIncidentTimeline(ctx.store, incident?.id ?? '');
    expect(timeline.filter((event) => event.kind === 'pause-suggested')).toHaveLength(1);
  });
});
