/**
 * The victims: eight contracts of shapes unlike the demo protocol's, each with its own flaw,
 * deployed twice: once guarded by Bulwark (the `bulwark` kit, in the monitor's config) and once by
 * the naive script (the `naive` kit, whose guardian is the script's key). Both kits are seeded the
 * same way by their own founders, so an attack meets the same holdings on either.
 */
import type { Artifacts } from '@bulwark/contracts';
import {
  type Abi,
  type Address,
  encodeFunctionData,
  type Hex,
  type LocalAccount,
  maxUint256,
  parseEther,
  toHex,
} from 'viem';
import { type DemoChain, devKeys } from '../../packages/cli/src/demo/demoChain.ts';
import type { Sender } from './chain.ts';
import type { FeeBid } from './fees.ts';

export const victimKeys = [
  'savings',
  'flashLender',
  'proxyVault',
  'splitter',
  'operatorVault',
  'spotLender',
  'treasury',
  'router',
] as const;
export type VictimKey = (typeof victimKeys)[number];

export type Victim = {
  key: VictimKey;
  name: string;
  address: Address;
  kind: 'vault' | 'market' | 'other';
  /** `native` or ERC-20s held: what the monitor reads as its TVL and the naive script watches. */
  assets: readonly (Address | 'native')[];
  abi: Abi;
};

export type Shared = { stable: Address; collateral: Address; flashPool: Address; vaultLogic: Address };

export type Kit = {
  side: 'bulwark' | 'naive';
  guardian: Address;
  /** Pair behind the flash-loan lender and the router; pair behind the two-block lender. */
  pairA: Address;
  pairB: Address;
  victims: Record<VictimKey, Victim>;
  founders: LocalAccount[];
};

/** Seconds between `requestUnpause` and `unpause` on every victim: a maintenance window of 5 blocks. */
export const unpauseDelaySeconds = 60n;

export const encode = (abi: Abi, functionName: string, args: readonly unknown[] = []) =>
  encodeFunctionData({ abi, functionName, args } as never) as Hex;

export type Cast = {
  admin: LocalAccount;
  operator: LocalAccount;
  payer: LocalAccount;
};

/** The protocol's people on the demo chain: the admin (a dev key, well funded), operator and payer, and the guardian (a dev key). */
export async function openCast(chain: DemoChain): Promise<{ cast: Cast; guardian: LocalAccount }> {
  const admin = await chain.account(devKeys.admin);
  await chain.rpc({ method: 'anvil_setBalance', params: [admin.address, toHex(10n ** 24n)] });
  const guardian = await chain.account(devKeys.guardian);
  const cast = { admin, operator: await chain.account('ops-operator'), payer: await chain.account('ops-payer') };
  return { cast, guardian };
}

/** The contracts both kits share: the two tokens, the vault logic and a flash-loan pool (a third party). */
export async function deployShared(
  chain: DemoChain,
  sender: Sender,
  artifacts: Artifacts,
  admin: LocalAccount,
  fee: FeeBid,
): Promise<Shared> {
  const art = (name: string) => artifacts.contracts[name]!;
  const stable = await sender.deploy(admin, art('DemoToken'), ['Bench Dollar', 'bUSD'], fee);
  const collateral = await sender.deploy(admin, art('DemoToken'), ['Bench Collateral', 'bCOL'], fee);
  const vaultLogic = await sender.deploy(admin, art('MultiAssetVaultLogic'), [], fee);
  const flashPool = await sender.deploy(admin, art('DemoFlashLender'), [], fee);
  await chain.mine();
  const token = art('DemoToken').abi;
  await sender.send(
    admin,
    { to: stable.address, data: encode(token, 'mint', [flashPool.address, parseEther('5000000')]) },
    fee,
  );
  await chain.mine();
  return {
    stable: stable.address,
    collateral: collateral.address,
    flashPool: flashPool.address,
    vaultLogic: vaultLogic.address,
  };
}

/** The OTC desk attackers and the mirror buy tokens from: plenty of both, minted once. Not mined. */
export async function openDesk(
  chain: DemoChain,
  sender: Sender,
  artifacts: Artifacts,
  shared: Shared,
  admin: LocalAccount,
  fee: FeeBid,
) {
  const desk = await chain.account('otc-desk');
  const token = artifacts.contracts.DemoToken!.abi;
  await sender.send(admin, { to: shared.stable, data: encode(token, 'mint', [desk.address, 10n ** 25n]) }, fee);
  await sender.send(admin, { to: shared.collateral, data: encode(token, 'mint', [desk.address, 10n ** 25n]) }, fee);
  return desk;
}

/** Deploys and seeds one kit. Founders are funded by label (`<side>-founder-<i>`). */
export async function deployKit(
  chain: DemoChain,
  sender: Sender,
  artifacts: Artifacts,
  shared: Shared,
  cast: Cast,
  side: Kit['side'],
  guardian: Address,
  fee: FeeBid,
): Promise<Kit> {
  const art = (name: string) => artifacts.contracts[name]!;
  const { admin } = cast;
  const breaker = [admin.address, guardian, unpauseDelaySeconds] as const;
  const deploy = async (name: string, args: readonly unknown[]) =>
    (await sender.deploy(admin, art(name), args, fee)).address;
  const pairA = await deploy('DemoAmm', [shared.collateral, shared.stable]);
  const pairB = await deploy('DemoAmm', [shared.collateral, shared.stable]);
  const savings = await deploy('EtherSavingsPool', breaker);
  const flashLender = await deploy('SpotPriceLender', [...breaker, shared.collateral, shared.stable, pairA]);
  const proxyVault = await deploy('PausableAssetProxy', [...breaker, shared.vaultLogic]);
  const splitter = await deploy('RevenueSplitter', breaker);
  const operatorVault = await deploy('OperatorEthVault', breaker);
  const spotLender = await deploy('SpotPriceLender', [...breaker, shared.collateral, shared.stable, pairB]);
  const treasury = await deploy('RoleTreasury', breaker);
  const router = await deploy('ApprovalRouter', breaker);
  await chain.mine();

  const proxyAbi = [...art('PausableAssetProxy').abi, ...art('MultiAssetVaultLogic').abi] as Abi;
  const victim = (
    key: VictimKey,
    name: string,
    address: Address,
    kind: Victim['kind'],
    assets: Victim['assets'],
    abi: Abi,
  ): Victim => ({
    key,
    name: side === 'bulwark' ? name : `${name} (naive)`,
    address,
    kind,
    assets,
    abi,
  });
  const victims: Record<VictimKey, Victim> = {
    savings: victim('savings', 'EtherSavingsPool', savings, 'vault', ['native'], art('EtherSavingsPool').abi),
    flashLender: victim(
      'flashLender',
      'SpotPriceLenderA',
      flashLender,
      'market',
      [shared.stable],
      art('SpotPriceLender').abi,
    ),
    proxyVault: victim(
      'proxyVault',
      'MultiAssetVault',
      proxyVault,
      'vault',
      ['native', shared.stable, shared.collateral],
      proxyAbi,
    ),
    splitter: victim('splitter', 'RevenueSplitter', splitter, 'other', ['native'], art('RevenueSplitter').abi),
    operatorVault: victim(
      'operatorVault',
      'OperatorEthVault',
      operatorVault,
      'vault',
      ['native'],
      art('OperatorEthVault').abi,
    ),
    spotLender: victim(
      'spotLender',
      'SpotPriceLenderB',
      spotLender,
      'market',
      [shared.stable],
      art('SpotPriceLender').abi,
    ),
    treasury: victim('treasury', 'RoleTreasury', treasury, 'other', ['native', shared.stable], art('RoleTreasury').abi),
    router: victim('router', 'ApprovalRouter', router, 'other', [], art('ApprovalRouter').abi),
  };

  // The admin seeds the pairs, the treasury and the splitter's revenue, and appoints the operator and the payer.
  const token = art('DemoToken').abi;
  const mint = (to: Address, amount: string) =>
    sender.send(admin, { to: shared.stable, data: encode(token, 'mint', [to, parseEther(amount)]) }, fee);
  const mintCollateral = (to: Address, amount: string) =>
    sender.send(admin, { to: shared.collateral, data: encode(token, 'mint', [to, parseEther(amount)]) }, fee);
  await mint(admin.address, '200000');
  await mintCollateral(admin.address, '200000');
  await mint(treasury, '300000');
  for (const pair of [pairA, pairB]) {
    await sender.send(admin, { to: shared.stable, data: encode(token, 'approve', [pair, maxUint256]) }, fee);
    await sender.send(admin, { to: shared.collateral, data: encode(token, 'approve', [pair, maxUint256]) }, fee);
  }
  await chain.mine();
  for (const pair of [pairA, pairB]) {
    const liquidity = parseEther('100000');
    await sender.send(
      admin,
      { to: pair, data: encode(art('DemoAmm').abi, 'addLiquidity', [liquidity, liquidity]) },
      fee,
    );
  }
  await sender.send(admin, { to: treasury, data: '0x', value: parseEther('800') }, fee);
  await sender.send(admin, { to: splitter, data: '0x', value: parseEther('1000') }, fee);
  await sender.send(
    admin,
    { to: operatorVault, data: encode(victims.operatorVault.abi, 'initialize', [cast.operator.address]) },
    fee,
  );
  const payer = (await chain.client.readContract({
    address: treasury,
    abi: victims.treasury.abi,
    functionName: 'PAYER_ROLE',
  })) as Hex;
  await sender.send(
    admin,
    { to: treasury, data: encode(victims.treasury.abi, 'grantRole', [payer, cast.payer.address]) },
    fee,
  );

  // Founders: ten depositors per kit, the same amounts on both kits.
  const founders: LocalAccount[] = [];
  for (let i = 0; i < 10; i++) {
    const founder = await chain.account(`${side}-founder-${i}`);
    founders.push(founder);
    await mint(founder.address, '100000');
    await mintCollateral(founder.address, '100000');
  }
  await chain.mine();
  for (const founder of founders) {
    for (const asset of [shared.stable, shared.collateral]) {
      for (const spender of [proxyVault, flashLender, spotLender, router, pairA, pairB]) {
        await sender.send(founder, { to: asset, data: encode(token, 'approve', [spender, maxUint256]) }, fee);
      }
    }
    // A block per founder: blocks stay the size of real ones (anvil traces a huge block slowly).
    await chain.mine();
  }
  await chain.mine();
  for (const founder of founders) {
    const send = (to: Address, abi: Abi, fn: string, args: readonly unknown[] = [], value?: bigint) =>
      sender.send(founder, { to, data: encode(abi, fn, args), value }, fee);
    await send(savings, victims.savings.abi, 'save', [], parseEther('150'));
    await send(proxyVault, proxyAbi, 'depositEther', [], parseEther('100'));
    await send(proxyVault, proxyAbi, 'deposit', [shared.stable, parseEther('20000')]);
    await send(proxyVault, proxyAbi, 'deposit', [shared.collateral, parseEther('20000')]);
    await send(splitter, victims.splitter.abi, 'join', [], parseEther('0.1'));
    await send(operatorVault, victims.operatorVault.abi, 'stake', [], parseEther('150'));
    await send(flashLender, victims.flashLender.abi, 'fund', [parseEther('5000')]);
    await send(spotLender, victims.spotLender.abi, 'fund', [parseEther('5000')]);
    await chain.mine();
  }
  await chain.mine();
  return { side, guardian, pairA, pairB, victims, founders };
}

const balanceAbi = [
  {
    type: 'function',
    name: 'balanceOf',
    stateMutability: 'view',
    inputs: [{ name: 'account', type: 'address' }],
    outputs: [{ name: '', type: 'uint256' }],
  },
] as const satisfies Abi;

/** A victim's holdings: the sum over its assets (every asset counts 1:1; the pairs are seeded at 1:1). */
export async function holdingsOf(chain: DemoChain, holder: Address, assets: Victim['assets']): Promise<bigint> {
  let total = 0n;
  for (const asset of assets) total += await holdingOf(chain, holder, asset);
  return total;
}

export async function holdingOf(chain: DemoChain, holder: Address, asset: Address | 'native'): Promise<bigint> {
  return asset === 'native'
    ? chain.balance(holder)
    : chain.client.readContract({ address: asset, abi: balanceAbi, functionName: 'balanceOf', args: [holder] });
}

/**
 * Brings the naive kit's copy of a victim up to the Bulwark copy's holdings, through the victim's
 * own deposit paths, so that an attack meets the same value on both (the Bulwark copy grew with
 * the benign traffic). `mirror` holds the ether and buys the tokens from `desk`. Not mined.
 */
export async function mirrorHoldings(
  chain: DemoChain,
  sender: Sender,
  artifacts: Artifacts,
  source: Victim,
  copy: Victim,
  mirror: LocalAccount,
  desk: LocalAccount,
  fee: FeeBid,
): Promise<void> {
  const token = artifacts.contracts.DemoToken!.abi;
  const call = (to: Address, abi: Abi, fn: string, args: readonly unknown[] = [], value?: bigint) =>
    sender.send(mirror, { to, data: encode(abi, fn, args), value }, fee, 300_000n);
  const missing = new Map<Address | 'native', bigint>();
  for (const asset of copy.assets) {
    const gap = (await holdingOf(chain, source.address, asset)) - (await holdingOf(chain, copy.address, asset));
    if (gap > 0n) missing.set(asset, gap);
  }
  // The tokens first, in a block of their own: the desk and the mirror are different senders.
  for (const [asset, gap] of missing) {
    if (asset === 'native') continue;
    await sender.send(desk, { to: asset, data: encode(token, 'transfer', [mirror.address, gap]) }, fee);
    await call(asset, token, 'approve', [copy.address, maxUint256]);
  }
  await chain.mine();
  for (const [asset, gap] of missing) {
    switch (copy.key) {
      case 'savings':
        await call(copy.address, copy.abi, 'save', [], gap);
        break;
      case 'operatorVault':
        await call(copy.address, copy.abi, 'stake', [], gap);
        break;
      case 'flashLender':
      case 'spotLender':
        await call(copy.address, copy.abi, 'fund', [gap]);
        break;
      case 'proxyVault':
        if (asset === 'native') await call(copy.address, copy.abi, 'depositEther', [], gap);
        else await call(copy.address, copy.abi, 'deposit', [asset, gap]);
        break;
      case 'splitter':
      case 'treasury':
        // Revenue: plain transfers in.
        if (asset === 'native') await sender.send(mirror, { to: copy.address, data: '0x', value: gap }, fee, 100_000n);
        else await call(asset, token, 'transfer', [copy.address, gap]);
        break;
      case 'router':
        break;
    }
  }
}
