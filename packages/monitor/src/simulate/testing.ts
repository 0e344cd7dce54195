import { type DemoProtocol, type DeployWalletClient, deployDemoProtocol } from '@bulwark/contracts';
import { startTestChain, type TestChain } from '@bulwark/contracts/testing';
import type { Store } from '@bulwark/store';
import { type Address, getContractAddress, parseAbi, parseEther } from 'viem';
import { parseMonitorConfig } from '../config/loadConfig.ts';
import { allRules } from '../rules/index.ts';
import { createMonitorsFromConfig } from '../runtime/fromConfig.ts';
import type { BlockReport, Monitor } from '../runtime/monitor.ts';
import type { Sink } from '../sinks/alert.ts';
import type { CreationSimulation, SimulatedDrain } from './types.ts';

/*
 * Test support for creation simulation: builders of simulations for rule tests (with defaults a
 * test overrides), and an anvil with the demo vault funded for the tests that simulate for real.
 * Not exported from the package.
 */

/** A drain of `share` of `holdings` wei of ether out of `contract` toward `to`. */
export function simulatedDrain(
  contract: Address,
  share: number,
  to: Address,
  holdings = 60n * 10n ** 18n,
): SimulatedDrain {
  const net = (holdings * BigInt(Math.round(share * 1e6))) / 1_000_000n;
  return {
    contract,
    asset: 'native',
    out: net.toString(),
    in: '0',
    net: net.toString(),
    recipients: [to],
    holdings: holdings.toString(),
    share,
    call: { from: to, selector: '0x64dd891a', args: 'small', value: '0', reverted: false },
  };
}

/** A simulation of `address`, created by `deployer` in the transaction `txHash`. */
export function creationSimulation(
  address: Address,
  deployer: Address,
  txHash: string,
  overrides: Partial<CreationSimulation> = {},
): CreationSimulation {
  return {
    txHash,
    blockNumber: 100n,
    address,
    deployer,
    references: [],
    functions: 4,
    calls: 32,
    reverted: 10,
    drains: [],
    trades: [],
    ...overrides,
  };
}

/**
 * anvil with the demo protocol (dev account 0 its admin, 1 its guardian), its vault holding 60
 * ether from three depositors, and dev account 5 as the one who deploys new contracts.
 */
export async function startVaultChain(): Promise<{
  chain: TestChain;
  protocol: DemoProtocol;
  deployer: DeployWalletClient;
}> {
  const chain = await startTestChain();
  const [admin, guardian] = chain.wallets as [DeployWalletClient, DeployWalletClient];
  const protocol = await deployDemoProtocol(admin, chain.publicClient, {
    guardian: guardian.account.address,
    artifacts: chain.artifacts,
  });
  for (const wallet of chain.wallets.slice(2, 5)) {
    await chain.write(wallet, {
      address: protocol.addresses.vault,
      abi: protocol.abis.DemoVault,
      functionName: 'deposit',
      value: parseEther('20'),
    });
  }
  return { chain, protocol, deployer: chain.wallets[5]! };
}

/** Mints `amount` of a demo token (default the collateral) to the address `deployer`'s next contract will have: capital that is there before its code. */
export async function fundNextContract(
  { chain, protocol, deployer }: Awaited<ReturnType<typeof startVaultChain>>,
  amount: bigint,
  token: Address = protocol.addresses.collateralToken,
): Promise<Address> {
  const nonce = await chain.publicClient.getTransactionCount({ address: deployer.account.address });
  const address = getContractAddress({ from: deployer.account.address, nonce: BigInt(nonce) });
  await chain.write(chain.wallets[0]!, {
    address: token,
    abi: parseAbi(['function mint(address,uint256)']),
    functionName: 'mint',
    args: [address, amount],
  });
  return address;
}

/** anvil's second dev account: the demo vault's guardian (see `startVaultChain`). */
export const vaultGuardianKey = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';

/**
 * The monitor as `bulwark monitor` runs it, from a config listing `contracts` on the test chain
 * with every rule (a guardian breaker reads the vault guardian's key from `GUARDIAN_KEY`):
 * learned, and running until `monitor.stop()`.
 */
export async function runMonitorOn(
  chain: TestChain,
  store: Store,
  contracts: readonly Record<string, unknown>[],
  hooks: { sinks?: Sink[]; onBlock?: (report: BlockReport) => void } = {},
): Promise<{ monitor: Monitor; running: Promise<void> }> {
  const env = { GUARDIAN_KEY: vaultGuardianKey };
  const config = parseMonitorConfig(
    {
      chains: [{ id: 31337, rpc: [chain.anvil.rpcUrl], pollingIntervalMs: 50 }],
      contracts: contracts.map((contract) => ({ chain: 31337, ...contract })),
      baseline: { learnBlocks: 1000 },
    },
    { rules: allRules, env, file: 'monitor.json' },
  );
  const [monitor] = (await createMonitorsFromConfig({
    config,
    store,
    rules: allRules,
    env,
    sinks: hooks.sinks ?? [],
    onBlock: hooks.onBlock,
  })) as [Monitor];
  await monitor.learn();
  return { monitor, running: monitor.run() };
}
