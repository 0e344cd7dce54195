import { type Abi, type Address, zeroAddress } from 'viem';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type DemoProtocol, type DeployWalletClient, deployDemoProtocol } from './deploy.ts';
import { eventsOf, revertOf, startTestChain, type TestChain } from './testing.ts';

let chain: TestChain;
let admin: DeployWalletClient;
let guardian: DeployWalletClient;
let user: DeployWalletClient;
let stranger: DeployWalletClient;
const unpauseDelay = 3_600n;

type Contract = { address: Address; abi: Abi };
type Deployed = DemoProtocol & { vault: Contract; market: Contract; token: Abi };
/** A freshly deployed protocol (a snapshot revert after the first call). */
let deploy: () => Promise<Deployed>;

beforeAll(async () => {
  chain = await startTestChain();
  [admin, guardian, user, stranger] = chain.wallets as [
    DeployWalletClient,
    DeployWalletClient,
    DeployWalletClient,
    DeployWalletClient,
  ];
  deploy = chain.fixture(async () => {
    const protocol = await deployDemoProtocol(admin, chain.publicClient, {
      guardian: guardian.account.address,
      unpauseDelay,
      artifacts: chain.artifacts,
    });
    return {
      ...protocol,
      vault: { address: protocol.addresses.vault, abi: protocol.abis.DemoVault },
      market: { address: protocol.addresses.lendingMarket, abi: protocol.abis.DemoLendingMarket },
      token: protocol.abis.DemoToken,
    };
  });
});

afterAll(async () => {
  await chain?.stop();
});

const call = (contract: Contract, functionName: string, args: readonly unknown[] = [], value?: bigint) => ({
  ...contract,
  functionName,
  args,
  value,
});

describe('GuardianPausable', () => {
  test('default: roles, delay and state after deployment', async () => {
    const { vault } = await deploy();
    expect(await chain.read(call(vault, 'admin'))).toBe(admin.account.address);
    expect(await chain.read(call(vault, 'guardian'))).toBe(guardian.account.address);
    expect(await chain.read(call(vault, 'paused'))).toBe(false);
    expect(await chain.read(call(vault, 'unpauseDelay'))).toBe(unpauseDelay);
    expect(await chain.read(call(vault, 'unpauseReadyAt'))).toBe(0n);
  });

  test('behavior: the guardian pauses and every value-moving function then reverts', async () => {
    const p = await deploy();
    const { vault, market } = p;
    const { debtToken, collateralToken } = p.addresses;
    // The deployer owns both tokens: give the user some of each.
    await chain.write(admin, call({ address: debtToken, abi: p.token }, 'mint', [user.account.address, 1_000n]));
    await chain.write(admin, call({ address: collateralToken, abi: p.token }, 'mint', [user.account.address, 1_000n]));
    await chain.write(user, call({ address: debtToken, abi: p.token }, 'approve', [vault.address, 1_000n]));
    await chain.write(user, call({ address: debtToken, abi: p.token }, 'approve', [market.address, 1_000n]));
    await chain.write(user, call({ address: collateralToken, abi: p.token }, 'approve', [market.address, 1_000n]));
    // Positions that unpaused calls below could draw on.
    await chain.write(user, call(vault, 'deposit', [], 10n));
    await chain.write(user, call(vault, 'depositToken', [debtToken, 100n]));
    await chain.write(user, call(market, 'supply', [100n]));
    await chain.write(user, call(market, 'depositCollateral', [500n]));
    await chain.write(user, call(market, 'borrow', [10n]));

    const receipt = await chain.write(guardian, call(vault, 'pause'));
    expect(eventsOf(receipt, vault.abi, 'Paused').map((e) => e.args)).toEqual([{ by: guardian.account.address }]);
    await chain.write(guardian, call(market, 'pause'));
    expect(await chain.read(call(vault, 'paused'))).toBe(true);
    expect(await chain.read(call(market, 'paused'))).toBe(true);

    const drainer = {
      address: vault.address,
      abi: [...chain.artifacts.contracts.DrainerImplementation!.abi, ...vault.abi],
    };
    const blocked = [
      call(vault, 'deposit', [], 1n),
      call(vault, 'depositToken', [debtToken, 1n]),
      call(vault, 'withdraw', [1n]),
      call(vault, 'withdrawToken', [debtToken, 1n]),
      call(vault, 'withdrawAll'),
      call(vault, 'harvest'),
      call(vault, 'claim', [0n]),
      call(drainer, 'sweep', [[], user.account.address]),
      call(market, 'supply', [1n]),
      call(market, 'withdrawSupply', [1n]),
      call(market, 'depositCollateral', [1n]),
      call(market, 'withdrawCollateral', [1n]),
      call(market, 'borrow', [1n]),
      call(market, 'repay', [1n]),
      call(market, 'claim', [0n]),
    ];
    for (const blockedCall of blocked) {
      const revert = await revertOf(chain.write(user, blockedCall), vault.abi);
      expect({ fn: blockedCall.functionName, error: revert.errorName }).toEqual({
        fn: blockedCall.functionName,
        error: 'EnforcedPause',
      });
    }
    // A plain ether transfer is a deposit, so it is stopped too.
    const plainSend = chain.publicClient.call({ account: user.account, to: vault.address, value: 1n });
    expect((await revertOf(plainSend, vault.abi)).errorName).toBe('EnforcedPause');

    // Nothing moved.
    expect(await chain.balance(vault.address)).toBe(10n);
    expect(await chain.read(call(vault, 'balanceOf', [zeroAddress, user.account.address]))).toBe(10n);
    expect(await chain.read(call(market, 'debtOf', [user.account.address]))).toBe(10n);
  });

  test('behavior: the admin can pause too', async () => {
    const { vault } = await deploy();
    const receipt = await chain.write(admin, call(vault, 'pause'));
    expect(eventsOf(receipt, vault.abi, 'Paused')[0]!.args).toEqual({ by: admin.account.address });
  });

  test('error: only the guardian or the admin can pause', async () => {
    const { vault } = await deploy();
    const revert = await revertOf(chain.write(stranger, call(vault, 'pause')));
    expect(revert).toEqual({ errorName: 'NotGuardianOrAdmin', args: [stranger.account.address] });
  });

  test('error: the guardian can neither request an unpause nor unpause', async () => {
    const { vault } = await deploy();
    await chain.write(guardian, call(vault, 'pause'));
    expect((await revertOf(chain.write(guardian, call(vault, 'requestUnpause')))).errorName).toBe('NotAdmin');
    expect((await revertOf(chain.write(guardian, call(vault, 'unpause')))).errorName).toBe('NotAdmin');
    // Not even after the admin's request has matured.
    await chain.write(admin, call(vault, 'requestUnpause'));
    await chain.increaseTime(unpauseDelay + 1n);
    expect((await revertOf(chain.write(guardian, call(vault, 'unpause')))).errorName).toBe('NotAdmin');
    expect(await chain.read(call(vault, 'paused'))).toBe(true);
  });

  test('behavior: the admin unpauses only after the delay has passed since the request', async () => {
    const { vault } = await deploy();
    await chain.write(guardian, call(vault, 'pause'));
    expect((await revertOf(chain.write(admin, call(vault, 'unpause')))).errorName).toBe('UnpauseNotRequested');

    const request = await chain.write(admin, call(vault, 'requestUnpause'));
    const requestedAt = (await chain.publicClient.getBlock({ blockNumber: request.blockNumber })).timestamp;
    const readyAt = requestedAt + unpauseDelay;
    expect(eventsOf(request, vault.abi, 'UnpauseRequested')[0]!.args).toEqual({ readyAt });
    expect(await chain.read(call(vault, 'unpauseReadyAt'))).toBe(readyAt);

    expect(await revertOf(chain.write(admin, call(vault, 'unpause')))).toEqual({
      errorName: 'UnpauseTooEarly',
      args: [readyAt],
    });
    await chain.increaseTime(unpauseDelay - 60n);
    expect((await revertOf(chain.write(admin, call(vault, 'unpause')))).errorName).toBe('UnpauseTooEarly');
    expect(await chain.read(call(vault, 'paused'))).toBe(true);

    await chain.increaseTime(60n);
    const receipt = await chain.write(admin, call(vault, 'unpause'));
    expect(eventsOf(receipt, vault.abi, 'Unpaused')[0]!.args).toEqual({ by: admin.account.address });
    expect(await chain.read(call(vault, 'paused'))).toBe(false);
    expect(await chain.read(call(vault, 'unpauseReadyAt'))).toBe(0n);
    // Value moves again.
    await chain.write(user, call(vault, 'deposit', [], 5n));
    expect(await chain.balance(vault.address)).toBe(5n);
  });

  test('behavior: pausing again cancels a pending unpause', async () => {
    const { vault } = await deploy();
    await chain.write(guardian, call(vault, 'pause'));
    expect((await revertOf(chain.write(guardian, call(vault, 'pause')))).errorName).toBe('EnforcedPause');
    await chain.write(admin, call(vault, 'requestUnpause'));
    const veto = await chain.write(guardian, call(vault, 'pause'));
    expect(eventsOf(veto, vault.abi).map((e) => e.eventName)).toEqual(['UnpauseCancelled']);
    await chain.increaseTime(unpauseDelay + 1n);
    expect((await revertOf(chain.write(admin, call(vault, 'unpause')))).errorName).toBe('UnpauseNotRequested');
    expect(await chain.read(call(vault, 'paused'))).toBe(true);
  });

  test('error: unpause requests need a pause', async () => {
    const { vault } = await deploy();
    expect((await revertOf(chain.write(admin, call(vault, 'requestUnpause')))).errorName).toBe('ExpectedPause');
    expect((await revertOf(chain.write(admin, call(vault, 'unpause')))).errorName).toBe('ExpectedPause');
  });

  test('behavior: role changes emit events and take effect', async () => {
    const { vault } = await deploy();
    const newGuardian = stranger.account.address;
    const change = await chain.write(admin, call(vault, 'setGuardian', [newGuardian]));
    expect(eventsOf(change, vault.abi, 'GuardianChanged')[0]!.args).toEqual({
      previousGuardian: guardian.account.address,
      newGuardian,
    });
    expect((await revertOf(chain.write(guardian, call(vault, 'pause')))).errorName).toBe('NotGuardianOrAdmin');
    await chain.write(stranger, call(vault, 'pause'));
    expect(await chain.read(call(vault, 'paused'))).toBe(true);

    const start = await chain.write(admin, call(vault, 'transferAdmin', [user.account.address]));
    expect(eventsOf(start, vault.abi, 'AdminTransferStarted')[0]!.args).toEqual({
      previousAdmin: admin.account.address,
      newAdmin: user.account.address,
    });
    expect(await chain.read(call(vault, 'admin'))).toBe(admin.account.address);
    expect((await revertOf(chain.write(stranger, call(vault, 'acceptAdmin')))).errorName).toBe('NotPendingAdmin');
    const accept = await chain.write(user, call(vault, 'acceptAdmin'));
    expect(eventsOf(accept, vault.abi, 'AdminChanged')[0]!.args).toEqual({
      previousAdmin: admin.account.address,
      newAdmin: user.account.address,
    });
    expect(await chain.read(call(vault, 'admin'))).toBe(user.account.address);
    expect(await chain.read(call(vault, 'pendingAdmin'))).toBe(zeroAddress);
    expect((await revertOf(chain.write(admin, call(vault, 'setGuardian', [zeroAddress])))).errorName).toBe('NotAdmin');
  });

  test('error: a zero admin is refused', async () => {
    const { vault } = await deploy();
    expect((await revertOf(chain.write(admin, call(vault, 'transferAdmin', [zeroAddress])))).errorName).toBe(
      'ZeroAddress',
    );
  });
});
