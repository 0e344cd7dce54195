import { createCapabilityTracker, createChainSync, createMemoryCheckpointStore, fetchBlock } from '@bulwark/chain';
import type { DemoProtocol, DeployWalletClient } from '@bulwark/contracts';
import type { TestChain } from '@bulwark/contracts/testing';
import { openStore, type Store } from '@bulwark/store';
import { parseAbi, parseEther } from 'viem';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createEngine } from '../engine/engine.ts';
import { allRules } from '../rules/index.ts';
import { createCreationSimulator } from '../simulate/simulateCreations.ts';
import { fundNextContract, runMonitorOn, startVaultChain } from '../simulate/testing.ts';
import type { Alert } from '../sinks/alert.ts';
import type { BlockReport, Monitor } from './monitor.ts';

/*
 * The monitor live on anvil (from a config, as `bulwark monitor` runs it) while a keeper, a trading
 * bot and an attack contract are deployed against the demo vault: only the attack contract is
 * flagged, at its deployment block, and the vault is paused before any strike.
 */

const pausedAbi = parseAbi(['function paused() view returns (bool)']);

let vaultChain: Awaited<ReturnType<typeof startVaultChain>>;
let chain: TestChain;
let store: Store;
let protocol: DemoProtocol;
let monitor: Monitor;
let running: Promise<void>;
let attacker: DeployWalletClient;
const reports = new Map<bigint, BlockReport>();
const alerts: Alert[] = [];

beforeAll(async () => {
  vaultChain = await startVaultChain();
  ({ chain, protocol, deployer: attacker } = vaultChain);
  store = await openStore({ dataDir: 'memory://' });
  const { vault, amm, lendingMarket, debtToken, collateralToken } = protocol.addresses;
  const breaker = { kind: 'guardian', autoPause: true, guardian: { privateKeyEnv: 'GUARDIAN_KEY' } };
  ({ monitor, running } = await runMonitorOn(
    chain,
    store,
    [
      { address: vault, name: 'DemoVault', kind: 'vault', assets: ['native', debtToken], breaker },
      { address: lendingMarket, name: 'DemoLendingMarket', kind: 'market', assets: [debtToken, collateralToken] },
      { address: amm, name: 'DemoAmm', kind: 'pool', assets: [debtToken, collateralToken] },
    ],
    {
      sinks: [{ name: 'memory', send: async (alert) => void alerts.push(alert) }],
      onBlock: (report) => void reports.set(report.number, report),
    },
  ));
}, 60_000);

afterAll(async () => {
  await monitor?.stop();
  await running;
  await store?.close();
  await chain?.stop();
});

/** Deploys `name` from the attacker's account and waits until the monitor has evaluated its block. */
async function deployWatched(name: string, args: readonly unknown[]) {
  const address = await chain.deploy(attacker, name, args);
  const number = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
  await expect.poll(() => reports.has(number), { timeout: 20_000, interval: 20 }).toBe(true);
  return { address: address.toLowerCase(), number, report: reports.get(number)! };
}

const vaultPaused = () =>
  chain.publicClient.readContract({ address: protocol.addresses.vault, abi: pausedAbi, functionName: 'paused' });

describe('creation simulation in the running monitor', () => {
  test('default: a keeper and a trading bot pass; an attack contract pauses the vault at its deployment block', async () => {
    const { vault, amm, debtToken, collateralToken } = protocol.addresses;
    const keeper = await deployWatched('HarvestKeeper', [vault]);
    expect(keeper.report.flagged).toEqual([]);

    // The trading bot's capital is sent to its address before its code arrives.
    await fundNextContract(vaultChain, parseEther('50'));
    const trader = await deployWatched('SwapArbitrageBot', [amm, collateralToken, debtToken]);
    expect(trader.report.flagged).toEqual([]);
    expect(await vaultPaused()).toBe(false);

    const attack = await deployWatched('ReentrancyAttacker', [vault]);
    const signals = attack.report.flagged.flatMap((flagged) => flagged.signals);
    expect(signals.map((signal) => [signal.ruleId, signal.contract]).sort()).toEqual([
      ['fresh-contract-caller', vault.toLowerCase()],
      ['simulated-drain', vault.toLowerCase()],
    ]);
    const [pause] = attack.report.pauses;
    expect(pause?.verdict).toMatchObject({ contract: vault.toLowerCase(), pause: true });
    expect(pause?.outcome?.status).toBe('sent');
    await expect.poll(vaultPaused, { timeout: 20_000, interval: 50 }).toBe(true);

    // The alert carries the simulated flows.
    const alert = alerts.find((candidate) => candidate.ruleId === 'simulated-drain');
    expect(alert).toMatchObject({ blockNumber: attack.number.toString(), contract: vault.toLowerCase() });
    expect(alert!.details).toMatchObject({
      newContract: attack.address,
      deployer: attacker.account.address.toLowerCase(),
      share: 0.05,
      drains: [
        {
          asset: 'native',
          out: parseEther('3.6').toString(),
          in: parseEther('0.6').toString(),
          net: parseEther('3').toString(),
          holdings: parseEther('60').toString(),
          recipients: [attack.address],
          call: { args: 'small', value: parseEther('0.6').toString() },
        },
      ],
    });

    // Without the simulations (the monitor before this change), the deployment raises nothing.
    const block = await fetchBlock(
      createChainSync({
        chainId: 31337,
        endpoints: [chain.anvil.rpcUrl],
        checkpointStore: createMemoryCheckpointStore(),
      }).pool,
      { chainId: 31337, number: attack.number, traces: true, capabilities: createCapabilityTracker() },
    );
    const engine = () =>
      createEngine({
        chainId: 31337,
        rules: allRules,
        contracts: [{ address: vault, name: 'DemoVault', kind: 'vault' }],
      });
    expect(engine().process(block)).toMatchObject({ flagged: [], pauses: [] });
    const simulations = await createCreationSimulator({
      pool: { request: (method, params) => chain.publicClient.request({ method, params } as never) },
      chainId: 31337,
      contracts: [vault],
    })(block);
    expect(engine().process(block, { simulations }).pauses).toMatchObject([{ contract: vault.toLowerCase() }]);
  });
});
