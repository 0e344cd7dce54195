import type { AddressInfo } from 'node:net';
import { allRules, parseMonitorConfig } from '@bulwark/monitor';
import { openTestIncident, pausableReadAbi, startResponderChain } from '@bulwark/monitor/responder/testing';
import { recordResponderAction } from '@bulwark/store';
import { describeStore } from '@bulwark/store/testing';
import { createWalletClient, http } from 'viem';
import { foundry } from 'viem/chains';
import { expect, test } from 'vitest';
import { createServer } from '../createServer.ts';
import { EventHub } from '../live/eventHub.ts';
import { createMonitorBridge } from '../live/monitorBridge.ts';
import { openEventClient } from '../live/testing.ts';
import { createApiToken } from '../tokens.ts';

const vault = '0x00000000000000000000000000000000000000aa';

describeStore('/healthz and /api/v1/monitor with and without a monitor', (ctx) => {
  test('behavior: /healthz is 503 (with what it waits for) until the monitor follows; a stopped monitor says why', async () => {
    const token = (await createApiToken(ctx.store, { name: 'vera', role: 'viewer', actor: 'test' })).token;
    const config = parseMonitorConfig(
      {
        chains: [{ id: 31337, rpc: ['http://127.0.0.1:1'] }],
        contracts: [
          { chain: 31337, address: vault, name: 'Vault', kind: 'vault', rules: { 'tvl-drop': { enabled: false } } },
        ],
        rules: { 'outflow-spike': { maxMultiple: 7 } },
      },
      { rules: allRules, file: 'monitor.json' },
    );
    const hub = new EventHub();
    const bridge = createMonitorBridge({ config, store: ctx.store, rules: allRules, hub });
    const server = await createServer({ store: ctx.store, hub, monitor: bridge.served });
    const base = await server.listen({ host: '127.0.0.1', port: 0 });
    try {
      const health = await fetch(`${base}/healthz`);
      expect(health.status).toBe(503);
      expect(await health.json()).toEqual({
        status: 'starting',
        waiting: ['the monitor: checks and baseline learning'],
      });
      const get = async (path: string) => {
        const response = await fetch(`${base}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
        return { status: response.status, body: (await response.json()) as unknown };
      };
      // The rules in force: the contract's switch, the config's parameter, the rule's defaults.
      const [rules] = (await get('/monitor/rules')).body as {
        rules: { id: string; enabled: boolean; parameters: Record<string, number> }[];
      }[];
      expect(rules!.rules.find((rule) => rule.id === 'tvl-drop')?.enabled).toBe(false);
      expect(rules!.rules.find((rule) => rule.id === 'outflow-spike')).toMatchObject({
        enabled: true,
        parameters: { maxMultiple: 7 },
      });
      expect((await get('/monitor/contracts')).body).toEqual([
        // paused() cannot be read (no node at the endpoint): the responder's record stands in.
        { chainId: 31337, address: vault, name: 'Vault', warmingUp: true, paused: false, pausedFrom: 'responder' },
      ]);
      expect((await get(`/monitor/contracts/31337/${vault}/baseline`)).body).toEqual({
        calls: [],
        outflow: [],
        valueLocked: [],
      });
      expect((await get('/monitor/contracts/1/0x00000000000000000000000000000000000000bb/baseline')).status).toBe(404);
      expect((await get('/monitor/contracts/1/nope/baseline')).status).toBe(400);

      const events = await openEventClient(`${base}/api/v1/events`, { token });
      bridge.fail('chain 31337 could not record block 9');
      const stopped = await fetch(`${base}/healthz`);
      expect(stopped.status).toBe(503);
      expect(await stopped.json()).toEqual({
        status: 'starting',
        waiting: ['the monitor stopped: chain 31337 could not record block 9'],
      });
      await events.waitFor((event) => event.type === 'monitor-health');
      events.close();
      // A client that connects later starts from the current health.
      const later = await openEventClient(`${base}/api/v1/events`, { token });
      expect((await later.waitFor((event) => event.type === 'monitor-health')).data).toEqual({ chains: [] });
      later.close();
    } finally {
      bridge.close();
      await server.close();
    }
  });

  test('error: without a monitor in the process, /monitor routes answer 404 monitor-not-running and /healthz 200', async () => {
    const token = (await createApiToken(ctx.store, { name: 'olga', role: 'viewer', actor: 'test' })).token;
    const server = await createServer({ store: ctx.store });
    await server.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
    try {
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      for (const path of [
        '/monitor/status',
        '/monitor/contracts',
        '/monitor/rules',
        `/monitor/contracts/1/${vault}/baseline`,
      ]) {
        const response = await fetch(`${base}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
        expect(response.status).toBe(404);
        expect(await response.json()).toMatchObject({ error: { code: 'monitor-not-running' } });
        expect((await fetch(`${base}/api/v1${path}`)).status).toBe(401);
      }
    } finally {
      await server.close();
    }
  });

  test("behavior: /monitor/contracts reads paused() from the chain: a pause shows, and so does the admin's later unpause", {
    timeout: 120_000,
  }, async () => {
    const chain = await startResponderChain();
    const bridges: { close(): void }[] = [];
    try {
      const guardian = await chain.newGuardian();
      const address = (await chain.deployPausable(guardian.account.address)).toLowerCase() as `0x${string}`;
      const token = (await createApiToken(ctx.store, { name: 'paula', role: 'viewer', actor: 'test' })).token;
      const config = parseMonitorConfig(
        {
          chains: [{ id: 31337, rpc: [chain.anvil.rpcUrl] }],
          contracts: [
            { chain: 31337, address, name: 'Vault', kind: 'vault' },
            // No code at this address: paused() cannot be read, so the responder's record answers.
            { chain: 31337, address: vault, name: 'Empty', kind: 'vault' },
          ],
        },
        { rules: allRules, file: 'monitor.json' },
      );
      const hub = new EventHub();
      const bridge = createMonitorBridge({ config, store: ctx.store, rules: allRules, hub });
      bridges.push(bridge);
      const server = await createServer({ store: ctx.store, hub, monitor: bridge.served, dashboard: false });
      const base = await server.listen({ host: '127.0.0.1', port: 0 });
      const contracts = async () => {
        const response = await fetch(`${base}/api/v1/monitor/contracts`, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(response.status).toBe(200);
        return (await response.json()) as { address: string; paused: boolean; pausedFrom: string }[];
      };
      const stateOf = async (which: string) => {
        const found = (await contracts()).find((contract) => contract.address === which)!;
        return { paused: found.paused, pausedFrom: found.pausedFrom };
      };
      try {
        expect(await stateOf(address)).toEqual({ paused: false, pausedFrom: 'chain' });
        // A verified pause on record for both contracts, as the monitor's responder writes it.
        for (const target of [address, vault] as const) {
          const incident = await openTestIncident(ctx.store, target);
          await recordResponderAction(ctx.store, {
            incidentId: incident.id,
            kind: 'pause',
            chainId: 31337,
            address: target,
            dryRun: false,
            status: 'verified',
            actor: 'monitor',
          });
        }
        // The chain says not paused: the record does not override it.
        expect(await stateOf(address)).toEqual({ paused: false, pausedFrom: 'chain' });
        expect(await stateOf(vault)).toEqual({ paused: true, pausedFrom: 'responder' });

        const admin = chain.deployer;
        const guardianWallet = createWalletClient({
          account: guardian.account,
          chain: foundry,
          transport: http(chain.anvil.rpcUrl),
        });
        const send = async (
          wallet: typeof admin | typeof guardianWallet,
          functionName: 'pause' | 'requestUnpause' | 'unpause',
        ) => {
          const hash = await wallet.writeContract({
            address,
            abi: pausableReadAbi,
            functionName,
            account: wallet.account!,
            chain: foundry,
          });
          await chain.mine();
          expect((await chain.client.waitForTransactionReceipt({ hash })).status).toBe('success');
        };
        await send(guardianWallet, 'pause');
        expect(await chain.paused(address)).toBe(true);
        expect(await stateOf(address)).toEqual({ paused: true, pausedFrom: 'chain' });
        // The admin unpauses after the contract's delay: the route follows the chain.
        await send(admin, 'requestUnpause');
        await chain.rpc('evm_increaseTime', [3601]);
        await send(admin, 'unpause');
        expect(await chain.paused(address)).toBe(false);
        expect(await stateOf(address)).toEqual({ paused: false, pausedFrom: 'chain' });
      } finally {
        await server.close();
      }
    } finally {
      for (const bridge of bridges) bridge.close();
      await chain.stop();
    }
  });
});
