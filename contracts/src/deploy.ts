import {
  type Abi,
  type Account,
  type Address,
  type Chain,
  type EIP1193RequestFn,
  encodeDeployData,
  encodeFunctionData,
  getAddress,
  type Hex,
  type PublicClient,
  parseEther,
  type TransactionReceipt,
  type Transport,
  type WalletClient,
  zeroAddress,
} from 'viem';
import { type Artifact, type Artifacts, loadArtifacts } from './compile.ts';
import { DeployError } from './errors.ts';

/** The asset id the breakers use for ether. */
export const nativeAsset: Address = zeroAddress;

/** `OutflowLimiter.LimitMode` values. */
export const limitModes = { revert: 0, escrow: 1 } as const;
export type LimitModeName = keyof typeof limitModes;

export type DeployWalletClient = WalletClient<Transport, Chain | undefined, Account>;

export type SendParameters = {
  to?: Address | undefined;
  data: Hex;
  value?: bigint | undefined;
  /** Call `evm_mine` after sending: for an anvil started with `noMining`. */
  mine?: boolean | undefined;
};

/** Sends a transaction from the wallet's account and waits for a successful receipt. */
export async function sendAndConfirm(
  walletClient: DeployWalletClient,
  publicClient: PublicClient,
  parameters: SendParameters,
): Promise<TransactionReceipt> {
  let hash: Hex;
  try {
    hash = await walletClient.sendTransaction({
      account: walletClient.account,
      chain: walletClient.chain,
      to: parameters.to ?? null,
      data: parameters.data,
      value: parameters.value,
    } as Parameters<DeployWalletClient['sendTransaction']>[0]);
  } catch (cause) {
    throw new DeployError(`Transaction ${parameters.to ? `to ${parameters.to}` : '(deployment)'} was rejected.`, {
      cause,
    });
  }
  if (parameters.mine) await (publicClient.request as EIP1193RequestFn)({ method: 'evm_mine' });
  const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 25 });
  if (receipt.status !== 'success') {
    throw new DeployError(`Transaction ${hash} reverted.`, { details: `Block ${receipt.blockNumber}.` });
  }
  return receipt;
}

export type DeployContractParameters = {
  artifact: Artifact;
  args?: readonly unknown[] | undefined;
  value?: bigint | undefined;
  mine?: boolean | undefined;
};

/** Deploys one compiled contract; returns its address. */
export async function deployContract(
  walletClient: DeployWalletClient,
  publicClient: PublicClient,
  parameters: DeployContractParameters,
): Promise<Address> {
  const { artifact } = parameters;
  if (artifact.bytecode === '0x') {
    throw new DeployError(`${artifact.contractName} has no bytecode (an interface or abstract contract).`);
  }
  const data = encodeDeployData({ abi: artifact.abi, bytecode: artifact.bytecode, args: parameters.args ?? [] });
  const receipt = await sendAndConfirm(walletClient, publicClient, {
    data,
    value: parameters.value,
    mine: parameters.mine,
  });
  if (!receipt.contractAddress) throw new DeployError(`Deploying ${artifact.contractName} created no contract.`);
  return getAddress(receipt.contractAddress);
}

export type DeployDemoProtocolParameters = {
  /** Admin of the vault and the market; default the wallet's account. */
  admin?: Address | undefined;
  /** Guardian of the vault and the market; default none (zero address). */
  guardian?: Address | undefined;
  /** Seconds between `requestUnpause` and `unpause`; default 3600. */
  unpauseDelay?: bigint | undefined;
  /** Outflow limiter mode of the vault and the market; default `revert`. */
  limitMode?: LimitModeName | undefined;
  /** Seconds per limiter period; default 300 (5 min). */
  periodLength?: bigint | undefined;
  /** Periods per limiter window; default 12 (with the default period, one hour). */
  windowPeriods?: bigint | undefined;
  /** Collateral factor of the market in basis points; default 7500. */
  collateralFactorBps?: bigint | undefined;
  /** Liquidity minted by the deployer (who owns both tokens) and put in place; `false` for none. */
  seed?: DemoSeed | false | undefined;
  /** Call `evm_mine` after each transaction: for an anvil started with `noMining`. */
  mine?: boolean | undefined;
  /** Default: `loadArtifacts()`. */
  artifacts?: Artifacts | undefined;
};

export type DemoSeed = {
  /** Collateral and debt tokens in the AMM pool (1:1, so the collateral starts at 1.0); default 100,000 each. */
  ammLiquidity?: bigint | undefined;
  /** Debt tokens the flash lender can lend; default 1,000,000. */
  flashLiquidity?: bigint | undefined;
  /** Debt tokens supplied to the lending market; default 200,000. */
  marketSupply?: bigint | undefined;
};

export type DemoContractName =
  | 'DemoToken'
  | 'DemoAmm'
  | 'DemoPriceOracle'
  | 'DemoFlashLender'
  | 'DemoVault'
  | 'DemoLendingMarket';

export type DemoProtocol = {
  addresses: {
    /** DemoToken "Demo Dollar" (dUSD): what the market lends. */
    debtToken: Address;
    /** DemoToken "Demo Collateral" (dCOL): what the market takes as collateral. */
    collateralToken: Address;
    amm: Address;
    oracle: Address;
    flashLender: Address;
    vault: Address;
    lendingMarket: Address;
  };
  abis: Record<DemoContractName, Abi>;
  artifacts: Artifacts;
  deployer: Address;
  admin: Address;
  guardian: Address;
  /** Block of the first deployment: where a monitor's backfill starts. */
  startBlock: bigint;
};

/**
 * Deploys the demo protocol: two tokens, a constant-product pool, its spot-price oracle, a flash
 * lender, and the breaker-guarded vault and lending market; then seeds the pool, the lender and
 * the market from the deployer (one transaction at a time, from the wallet's account).
 */
export async function deployDemoProtocol(
  walletClient: DeployWalletClient,
  publicClient: PublicClient,
  parameters: DeployDemoProtocolParameters = {},
): Promise<DemoProtocol> {
  const artifacts = parameters.artifacts ?? (await loadArtifacts());
  const artifact = (name: string) => {
    const found = artifacts.contracts[name];
    if (!found) throw new DeployError(`No artifact for ${name}.`, { details: 'Recompile with loadArtifacts().' });
    return found;
  };
  const mine = parameters.mine;
  const deployer = walletClient.account.address;
  const admin = parameters.admin ?? deployer;
  const guardian = parameters.guardian ?? zeroAddress;
  const breakerArgs = [
    admin,
    guardian,
    parameters.unpauseDelay ?? 3_600n,
    limitModes[parameters.limitMode ?? 'revert'],
    parameters.periodLength ?? 300n,
    parameters.windowPeriods ?? 12n,
  ] as const;
  const deploy = (name: string, args: readonly unknown[]) =>
    deployContract(walletClient, publicClient, { artifact: artifact(name), args, mine });
  const call = (to: Address, abi: Abi, functionName: string, args: readonly unknown[]) =>
    sendAndConfirm(walletClient, publicClient, { to, data: encodeFunctionData({ abi, functionName, args }), mine });

  const startBlock = (await publicClient.getBlockNumber()) + 1n;
  const debtToken = await deploy('DemoToken', ['Demo Dollar', 'dUSD']);
  const collateralToken = await deploy('DemoToken', ['Demo Collateral', 'dCOL']);
  const amm = await deploy('DemoAmm', [collateralToken, debtToken]);
  const oracle = await deploy('DemoPriceOracle', [amm, collateralToken]);
  const flashLender = await deploy('DemoFlashLender', []);
  const vault = await deploy('DemoVault', breakerArgs);
  const lendingMarket = await deploy('DemoLendingMarket', [
    ...breakerArgs,
    collateralToken,
    debtToken,
    oracle,
    parameters.collateralFactorBps ?? 7_500n,
  ]);

  if (parameters.seed !== false) {
    const seed = parameters.seed ?? {};
    const ammLiquidity = seed.ammLiquidity ?? parseEther('100000');
    const flashLiquidity = seed.flashLiquidity ?? parseEther('1000000');
    const marketSupply = seed.marketSupply ?? parseEther('200000');
    const token = artifact('DemoToken').abi;
    await call(debtToken, token, 'mint', [deployer, ammLiquidity + marketSupply]);
    await call(debtToken, token, 'mint', [flashLender, flashLiquidity]);
    await call(collateralToken, token, 'mint', [deployer, ammLiquidity]);
    await call(debtToken, token, 'approve', [amm, ammLiquidity]);
    await call(collateralToken, token, 'approve', [amm, ammLiquidity]);
    await call(amm, artifact('DemoAmm').abi, 'addLiquidity', [ammLiquidity, ammLiquidity]);
    await call(debtToken, token, 'approve', [lendingMarket, marketSupply]);
    await call(lendingMarket, artifact('DemoLendingMarket').abi, 'supply', [marketSupply]);
  }

  const names: DemoContractName[] = [
    'DemoToken',
    'DemoAmm',
    'DemoPriceOracle',
    'DemoFlashLender',
    'DemoVault',
    'DemoLendingMarket',
  ];
  return {
    addresses: { debtToken, collateralToken, amm, oracle, flashLender, vault, lendingMarket },
    abis: Object.fromEntries(names.map((name) => [name, artifact(name).abi])) as Record<DemoContractName, Abi>,
    artifacts,
    deployer,
    admin,
    guardian,
    startBlock,
  };
}
