import type { Address } from 'viem';
import type { CreationSimulation, SimulatedDrain } from './types.ts';

/*
 * Builders for rule tests that read creation simulations: a simulation of a new contract and the
 * drains it found, with defaults a test overrides. Not exported from the package.
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
