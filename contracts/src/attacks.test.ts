/**
 * The demo protocol's deliberate vulnerabilities (`DEMO-VULNERABILITY` in its sources) exploited
 * for real on anvil: each attack succeeds while the protocol runs, and is stopped by the guardian's
 * pause (and, where it applies, bounded by the outflow limiter).
 */
import { type Abi, type Address, keccak256, parseEther, toHex } from 'viem';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type DemoProtocol, type DeployWalletClient, deployDemoProtocol, nativeAsset } from './deploy.ts';
import { type ContractCall, eventsOf, revertOf, startTestChain, type TestChain } from './testing.ts';

let chain: TestChain;
let admin: DeployWalletClient;
let guardian: DeployWalletClient;
let victims: DeployWalletClient[];
let attacker: DeployWalletClient;
let protocol: () => Promise<DemoProtocol>;

beforeAll(async () => {
  chain = await startTestChain();
  const wallets = chain.wallets as DeployWalletClient[];
  [admin, guardian] = wallets as [DeployWalletClient, DeployWalletClient];
  victims = wallets.slice(2, 5);
  attacker = wallets[5]!;
  protocol = chain.fixture(async () => {
    const p = await deployDemoProtocol(admin, chain.publicClient, {
      guardian: guardian.account.address,
      artifacts: chain.artifacts,
    });
    // Victims keep 60 ether and 3,000 dUSD in the vault.
    for (const victim of victims) {
      await chain.write(victim, { ...vault(p), functionName: 'deposit', value: parseEther('20') });
      await chain.write(admin, {
        ...token(p, 'debt'),
        functionName: 'mint',
        args: [victim.account.address, parseEther('1000')],
      });
      await chain.write(victim, {
        ...token(p, 'debt'),
        functionName: 'approve',
        args: [p.addresses.vault, parseEther('1000')],
      });
      await chain.write(victim, {
        ...vault(p),
        functionName: 'depositToken',
        args: [p.addresses.debtToken, parseEther('1000')],
      });
    }
    return p;
  });
});

afterAll(async () => {
  await chain?.stop();
});

const vault = (p: DemoProtocol) => ({ address: p.addresses.vault, abi: p.abis.DemoVault });
const market = (p: DemoProtocol) => ({ address: p.addresses.lendingMarket, abi: p.abis.DemoLendingMarket });
const token = (p: DemoProtocol, which: 'debt' | 'collateral') => ({
  address: which === 'debt' ? p.addresses.debtToken : p.addresses.collateralToken,
  abi: p.abis.DemoToken,
});
const at = (
  contract: { address: Address; abi: Abi },
  functionName: string,
  args: readonly unknown[] = [],
): ContractCall => ({
  ...contract,
  functionName,
  args,
});
const errorsOf = (abi: Abi) => abi.filter((item) => item.type === 'error');
const tokenBalance = (p: DemoProtocol, which: 'debt' | 'collateral', account: Address) =>
  chain.read<bigint>(at(token(p, which), 'balanceOf', [account]));

describe('multi-transaction reentrancy drain (DemoVault.withdrawAll)', () => {
  const deployAttacker = async (p: DemoProtocol) => {
    const address = await chain.deploy(attacker, 'ReentrancyAttacker', [p.addresses.vault]);
    return { address, abi: chain.artifacts.contracts.ReentrancyAttacker!.abi };
  };

  test('behavior: drains a few ether per transaction while the vault runs', async () => {
    const p = await protocol();
    const contract = await deployAttacker(p);
    for (let round = 0; round < 3; round++) {
      const receipt = await chain.write(attacker, { ...at(contract, 'attack', [4n]), value: parseEther('1') });
      // One deposit, then five nested payouts of the same balance.
      const withdrawn = eventsOf(receipt, p.abis.DemoVault, 'Withdrawn');
      expect(withdrawn.map((e) => e.args.amount)).toEqual(Array(5).fill(parseEther('1')));
      expect(withdrawn.every((e) => e.args.account === contract.address)).toBe(true);
    }
    // Each round paid 5 ether for 1: the victims lost 12.
    expect(await chain.balance(p.addresses.vault)).toBe(parseEther('60') - parseEther('12'));
    expect(await chain.balance(contract.address)).toBe(parseEther('15'));
  });

  test('behavior: stopped once the guardian pauses', async () => {
    const p = await protocol();
    const contract = await deployAttacker(p);
    await chain.write(attacker, { ...at(contract, 'attack', [4n]), value: parseEther('1') });
    await chain.write(guardian, at(vault(p), 'pause'));
    const blocked = chain.write(attacker, { ...at(contract, 'attack', [4n]), value: parseEther('1') });
    expect((await revertOf(blocked, p.abis.DemoVault)).errorName).toBe('EnforcedPause');
    expect(await chain.balance(p.addresses.vault)).toBe(parseEther('56'));
    expect(await chain.balance(contract.address)).toBe(parseEther('5'));
  });

  test('behavior: the outflow limiter bounds the drain per window', async () => {
    const p = await protocol();
    await chain.write(admin, at(vault(p), 'setOutflowLimit', [nativeAsset, parseEther('10'), 0]));
    const contract = await deployAttacker(p);
    await chain.write(attacker, { ...at(contract, 'attack', [4n]), value: parseEther('1') });
    await chain.write(attacker, { ...at(contract, 'attack', [4n]), value: parseEther('1') });
    const third = chain.write(attacker, { ...at(contract, 'attack', [4n]), value: parseEther('1') });
    expect((await revertOf(third, p.abis.DemoVault)).errorName).toBe('OutflowLimitExceeded');
    expect(await chain.balance(p.addresses.vault)).toBe(parseEther('52'));
  });
});

describe('flash-loan oracle manipulation (DemoPriceOracle, DemoLendingMarket)', () => {
  const collateral = parseEther('1000');
  const flashAmount = parseEther('900000');

  const deployAttacker = async (p: DemoProtocol) => {
    const { flashLender, amm, lendingMarket, collateralToken, debtToken } = p.addresses;
    const address = await chain.deploy(attacker, 'FlashLoanOracleAttacker', [
      flashLender,
      amm,
      lendingMarket,
      collateralToken,
      debtToken,
    ]);
    // The attacker holds a little collateral, bought earlier at the fair price.
    await chain.write(admin, at(token(p, 'collateral'), 'mint', [address, collateral]));
    const abi = [...chain.artifacts.contracts.FlashLoanOracleAttacker!.abi, ...errorsOf(p.abis.DemoLendingMarket)];
    return { address, abi };
  };

  test('behavior: one transaction borrows far more than the collateral is worth', async () => {
    const p = await protocol();
    const contract = await deployAttacker(p);
    const oracle = { address: p.addresses.oracle, abi: p.abis.DemoPriceOracle };
    const fairPrice = await chain.read<bigint>(at(oracle, 'price'));
    expect(fairPrice).toBe(parseEther('1'));
    const fairValue = (collateral * fairPrice) / 10n ** 18n;

    const receipt = await chain.write(attacker, at(contract, 'attack', [flashAmount, collateral]));

    const borrowed = await chain.read<bigint>(at(contract, 'lastBorrowed'));
    const [borrow] = eventsOf(receipt, p.abis.DemoLendingMarket, 'Borrowed');
    expect(borrow!.args).toEqual({ account: contract.address, amount: borrowed });
    expect(eventsOf(receipt, p.abis.DemoFlashLender, 'FlashLoan')[0]!.args).toMatchObject({
      receiver: contract.address,
      amount: flashAmount,
    });
    expect(eventsOf(receipt, p.abis.DemoAmm, 'Swap')).toHaveLength(2);
    // Worth 1,000 dUSD at the fair price, the collateral backed about 75,000.
    expect(borrowed).toBeGreaterThan(50n * fairValue);
    const profit = await tokenBalance(p, 'debt', contract.address);
    expect(profit).toBeGreaterThan(parseEther('60000'));
    // The price is back near fair, and the market holds bad debt.
    const priceAfter = await chain.read<bigint>(at(oracle, 'price'));
    expect(priceAfter).toBeLessThan(parseEther('1.05'));
    expect(await chain.read<bigint>(at(market(p), 'debtOf', [contract.address]))).toBe(borrowed);
    expect(await chain.read<bigint>(at(market(p), 'collateralValue', [contract.address]))).toBeLessThan(borrowed / 50n);
    expect(await chain.read<bigint>(at(market(p), 'liquidity'))).toBe(parseEther('200000') - borrowed);
  });

  test('behavior: fails when the market is paused', async () => {
    const p = await protocol();
    const contract = await deployAttacker(p);
    await chain.write(guardian, at(market(p), 'pause'));
    expect((await revertOf(chain.write(attacker, at(contract, 'attack', [flashAmount, collateral])))).errorName).toBe(
      'EnforcedPause',
    );
    expect(await chain.read<bigint>(at(market(p), 'liquidity'))).toBe(parseEther('200000'));
    expect(await tokenBalance(p, 'debt', contract.address)).toBe(0n);
  });

  test('behavior: the outflow limiter caps what one transaction can borrow', async () => {
    const p = await protocol();
    await chain.write(admin, at(market(p), 'setOutflowLimit', [p.addresses.debtToken, 0n, 1_000])); // 10% of TVL
    const contract = await deployAttacker(p);
    await chain.write(attacker, at(contract, 'attack', [flashAmount, collateral]));
    expect(await chain.read<bigint>(at(contract, 'lastBorrowed'))).toBe(parseEther('20000'));
  });
});

describe('compromised admin key', () => {
  test('behavior: upgrades the vault to a drainer and empties it', async () => {
    const p = await protocol();
    const drainer = await chain.deploy(admin, 'DrainerImplementation');
    const upgrade = await chain.write(admin, at(vault(p), 'upgradeTo', [drainer]));
    expect(eventsOf(upgrade, p.abis.DemoVault, 'Upgraded')[0]!.args).toEqual({ implementation: drainer });

    const thief = attacker.account.address;
    const before = await chain.balance(thief);
    const throughVault = { address: p.addresses.vault, abi: chain.artifacts.contracts.DrainerImplementation!.abi };
    await chain.write(admin, at(throughVault, 'sweep', [[p.addresses.debtToken], thief]));
    expect(await chain.balance(p.addresses.vault)).toBe(0n);
    expect(await tokenBalance(p, 'debt', p.addresses.vault)).toBe(0n);
    expect(await chain.balance(thief)).toBe(before + parseEther('60'));
    expect(await tokenBalance(p, 'debt', thief)).toBe(parseEther('3000'));
  });

  test('behavior: a pause after the upgrade saves the funds, and the admin cannot lift it at once', async () => {
    const p = await protocol();
    const drainer = await chain.deploy(admin, 'DrainerImplementation');
    await chain.write(admin, at(vault(p), 'upgradeTo', [drainer]));
    await chain.write(guardian, at(vault(p), 'pause'));
    const throughVault = {
      address: p.addresses.vault,
      abi: [...chain.artifacts.contracts.DrainerImplementation!.abi, ...errorsOf(p.abis.DemoVault)],
    };
    const sweep = chain.write(admin, at(throughVault, 'sweep', [[p.addresses.debtToken], attacker.account.address]));
    expect((await revertOf(sweep)).errorName).toBe('EnforcedPause');
    await chain.write(admin, at(vault(p), 'requestUnpause'));
    expect((await revertOf(chain.write(admin, at(vault(p), 'unpause')))).errorName).toBe('UnpauseTooEarly');
    expect(await chain.balance(p.addresses.vault)).toBe(parseEther('60'));
    expect(await tokenBalance(p, 'debt', p.addresses.vault)).toBe(parseEther('3000'));
  });

  test('behavior: grants itself a role, rigs the oracle and borrows the whole market', async () => {
    const p = await protocol();
    const role = keccak256(toHex('RISK_MANAGER_ROLE'));
    expect(await chain.read(at(market(p), 'RISK_MANAGER_ROLE'))).toBe(role);
    const grant = await chain.write(admin, at(market(p), 'grantRole', [role, attacker.account.address]));
    expect(eventsOf(grant, p.abis.DemoLendingMarket, 'RoleGranted')[0]!.args).toEqual({
      role,
      account: attacker.account.address,
      sender: admin.account.address,
    });
    const rigged = await chain.deploy(attacker, 'RiggedOracle', [parseEther('1000000')]);
    const change = await chain.write(attacker, at(market(p), 'setOracle', [rigged]));
    expect(eventsOf(change, p.abis.DemoLendingMarket, 'OracleChanged')[0]!.args).toEqual({
      previousOracle: p.addresses.oracle,
      newOracle: rigged,
    });

    await chain.write(admin, at(token(p, 'collateral'), 'mint', [attacker.account.address, parseEther('1')]));
    await chain.write(attacker, at(token(p, 'collateral'), 'approve', [p.addresses.lendingMarket, parseEther('1')]));
    await chain.write(attacker, at(market(p), 'depositCollateral', [parseEther('1')]));
    await chain.write(attacker, at(market(p), 'borrow', [parseEther('200000')]));
    expect(await tokenBalance(p, 'debt', attacker.account.address)).toBe(parseEther('200000'));
    expect(await chain.read<bigint>(at(market(p), 'liquidity'))).toBe(0n);
  });

  test('error: without the role, the oracle cannot be changed', async () => {
    const p = await protocol();
    const revert = await revertOf(chain.write(attacker, at(market(p), 'setOracle', [attacker.account.address])));
    expect(revert).toEqual({
      errorName: 'MissingRole',
      args: [keccak256(toHex('RISK_MANAGER_ROLE')), attacker.account.address],
    });
  });
});

describe('slow drain below per-transaction thresholds (DemoVault.harvest)', () => {
  test('behavior: many small harvests add up', async () => {
    const p = await protocol();
    const rewards: bigint[] = [];
    for (let i = 0; i < 30; i++) {
      const receipt = await chain.write(attacker, at(vault(p), 'harvest'));
      rewards.push(eventsOf(receipt, p.abis.DemoVault, 'Harvested')[0]!.args.reward as bigint);
    }
    const total = rewards.reduce((a, b) => a + b, 0n);
    // Every payout is 0.1% of what is left: under a naive 1-ether-per-transaction alert...
    expect(rewards.every((reward) => reward <= parseEther('0.06'))).toBe(true);
    // ...while together they take about 3% of the vault.
    expect(total).toBeGreaterThan(parseEther('1.7'));
    expect(await chain.balance(p.addresses.vault)).toBe(parseEther('60') - total);
  });

  test('behavior: a window limit stops it, and so does a pause', async () => {
    const p = await protocol();
    await chain.write(admin, at(vault(p), 'setOutflowLimit', [nativeAsset, 0n, 50])); // 0.5% per window
    // 0.5% of 60 ether is 0.3 per window: five payouts of about 0.06, not six.
    for (let i = 0; i < 5; i++) await chain.write(attacker, at(vault(p), 'harvest'));
    expect((await revertOf(chain.write(attacker, at(vault(p), 'harvest')))).errorName).toBe('OutflowLimitExceeded');
    expect(await chain.balance(p.addresses.vault)).toBeGreaterThanOrEqual(parseEther('59.7'));
    await chain.write(guardian, at(vault(p), 'pause'));
    expect((await revertOf(chain.write(attacker, at(vault(p), 'harvest')))).errorName).toBe('EnforcedPause');
  });
});
