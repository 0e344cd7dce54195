import type { DemoProtocol, DeployWalletClient } from '@bulwark/contracts';
import type { TestChain } from '@bulwark/contracts/testing';
import { getBaseline, openStore, type Store } from '@bulwark/store';
import { encodeFunctionData, parseEther, type TransactionReceipt } from 'viem';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ContractProfile } from '../baseline/types.ts';
import { runMonitorOn, startVaultChain } from '../simulate/testing.ts';
import { type BlockReport, type Monitor, profileMetric } from './monitor.ts';

/*
 * Issue 8, cause 3, on anvil with every rule: routine work is not evidence of an attack. A keeper
 * deployed before the monitor started, the admin's maintenance pause and unpause, and users'
 * calls reverting while the vault is paused raise no pause, and the vault keeps learning.
 */

let chain: TestChain;
let protocol: DemoProtocol;
let store: Store;
let monitor: Monitor;
let running: Promise<void>;
let keeper: `0x${string}`;
const reports = new Map<bigint, BlockReport>();

beforeAll(async () => {
  store = await openStore({ dataDir: 'memory://' });
  ({ chain, protocol } = await startVaultChain());
  // The keeper existed, and worked, before the monitor started.
  keeper = await chain.deploy(chain.wallets[6]!, 'HarvestKeeper', [protocol.addresses.vault]);
  const breaker = { kind: 'guardian', autoPause: true, guardian: { privateKeyEnv: 'GUARDIAN_KEY' } };
  ({ monitor, running } = await runMonitorOn(
    chain,
    store,
    [
      {
        address: protocol.addresses.vault,
        name: 'DemoVault',
        kind: 'vault',
        assets: ['native'],
        breaker,
        trustedAdmins: [chain.wallets[0]!.account.address],
      },
    ],
    { onBlock: (report) => void reports.set(report.number, report) },
  ));
}, 60_000);

afterAll(async () => {
  await monitor?.stop();
  await running;
  await store?.close();
  await chain?.stop();
});

/** Waits until the monitor evaluated the receipt's block; returns its report. */
async function evaluated(receipt: TransactionReceipt): Promise<BlockReport> {
  await expect.poll(() => reports.has(receipt.blockNumber), { timeout: 30_000, interval: 20 }).toBe(true);
  return reports.get(receipt.blockNumber)!;
}

/** Transactions in the vault's stored profile, saved now. */
async function learnedTxs(): Promise<number> {
  await monitor.persist();
  const key = { chainId: 31337, address: protocol.addresses.vault, ...profileMetric };
  return (await getBaseline<ContractProfile>(store, key))?.stats.txs ?? 0;
}

const vaultCall = (wallet: DeployWalletClient, functionName: string, value?: bigint) =>
  chain.write(wallet, { address: protocol.addresses.vault, abi: protocol.abis.DemoVault, functionName, value });

describe('not evidence of an attack (on anvil)', () => {
  test('default: a keeper from before the start, a maintenance pause and unpause, and calls reverting while paused raise no pause; learning goes on', async () => {
    const [admin, , alice, bob] = chain.wallets as DeployWalletClient[];
    const learnedBefore = await learnedTxs();
    const flagged: BlockReport['flagged'] = [];
    const note = (report: BlockReport) => {
      flagged.push(...report.flagged);
      expect(report.pauses).toEqual([]);
    };
    note(await evaluated(await vaultCall(alice!, 'deposit', parseEther('2'))));
    note(
      await evaluated(
        await chain.write(chain.wallets[6]!, {
          address: keeper,
          abi: chain.artifacts.contracts.HarvestKeeper!.abi,
          functionName: 'work',
        }),
      ),
    );
    // Maintenance: the admin pauses; users' calls revert meanwhile; the admin unpauses after the delay.
    note(await evaluated(await vaultCall(admin!, 'pause')));
    for (const wallet of [alice!, bob!, alice!]) {
      const hash = await wallet.sendTransaction({
        to: protocol.addresses.vault,
        data: encodeFunctionData({ abi: protocol.abis.DemoVault, functionName: 'deposit' }),
        value: parseEther('1'),
        gas: 200_000n,
        chain: undefined,
      } as never);
      const receipt = await chain.publicClient.waitForTransactionReceipt({ hash });
      expect(receipt.status).toBe('reverted');
      note(await evaluated(receipt));
    }
    note(await evaluated(await vaultCall(admin!, 'requestUnpause')));
    await chain.increaseTime(3_601n);
    note(await evaluated(await vaultCall(admin!, 'unpause')));
    note(await evaluated(await vaultCall(bob!, 'deposit', parseEther('1'))));

    const rules = flagged.flatMap((result) => result.signals.map((signal) => signal.ruleId));
    expect(rules).not.toContain('failed-call-burst');
    expect(rules).not.toContain('fresh-contract-caller');
    expect(rules).not.toContain('admin-change');
    expect(
      await chain.read({ address: protocol.addresses.vault, abi: protocol.abis.DemoVault, functionName: 'paused' }),
    ).toBe(false);
    // The vault went on learning: its transactions are released to the baseline 25 blocks later.
    await chain.publicClient.request({ method: 'anvil_mine', params: ['0x1e'] } as never);
    const head = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
    await expect.poll(() => reports.has(head), { timeout: 30_000, interval: 20 }).toBe(true);
    expect(await learnedTxs()).toBeGreaterThan(learnedBefore);
  });
});
