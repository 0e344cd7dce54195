import type { Tx } from '@bulwark/chain';
import { type Abi, parseAbi } from 'viem';
import { contributions, emptyLiveWindows, emptyProfile, learnTransaction } from '../baseline/profile.ts';
import type { ContractProfile } from '../baseline/types.ts';
import { eventsOf, testWatched, victim } from '../rules/testing.ts';
import type { WatchedView } from '../rules/types.ts';
import { buildPrivilegeMap } from './classify.ts';
import { learnPrivilege } from './learn.ts';
import type { PrivilegeMap } from './types.ts';

/*
 * Test support for privilege: the ABI of a vault run by an operator (with the unguarded
 * initializer and custom event of the outside trial) and a minter-role token, and a watched view
 * whose profile learned given transactions as the engine does.
 */

export const operatedVaultAbi: Abi = parseAbi([
  'function initialize(address operator_)',
  'function setOperator(address newOperator)',
  'function setFee(uint256 fee)',
  'function sweep(address to)',
  'function deposit() payable',
  'function withdraw(uint256 amount)',
  'function pause()',
  'function unpause()',
  'function operator() view returns (address)',
  'function fee() view returns (uint256)',
  'event OperatorUpdated(address indexed previousOperator, address indexed newOperator)',
  'event FeeUpdated(uint256 fee)',
  'event Paused(address account)',
  'event Unpaused(address account)',
]);

export const roleTokenAbi: Abi = parseAbi([
  'function grantRole(bytes32 role, address account)',
  'function revokeRole(bytes32 role, address account)',
  'function hasRole(bytes32 role, address account) view returns (bool)',
  'function MINTER_ROLE() view returns (bytes32)',
  'function mint(address to, uint256 amount)',
  'function transfer(address to, uint256 amount) returns (bool)',
  'function approve(address spender, uint256 amount) returns (bool)',
  'event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender)',
  'event Transfer(address indexed from, address indexed to, uint256 value)',
]);

/** Learns `txs` into `profile` as the engine learns a clean transaction (baseline and privilege). */
export function learnInto(profile: ContractProfile, map: PrivilegeMap, txs: readonly Tx[]): ContractProfile {
  const view = testWatched({ profile, privilege: map });
  for (const tx of txs) {
    const contribution = contributions(tx, eventsOf(tx, [view])).get(profile.address);
    if (!contribution) continue;
    learnTransaction(profile, tx, contribution, emptyLiveWindows());
    learnPrivilege(profile, map, tx);
  }
  return profile;
}

/** The victim as a watched view with `abi` classified and `txs` learned. */
export function learnedView(
  abi: Abi | undefined,
  txs: readonly Tx[],
  overrides: Partial<WatchedView> = {},
): WatchedView {
  const map = buildPrivilegeMap({ abi });
  const profile = learnInto(emptyProfile(1, victim), map, txs);
  return testWatched({ profile, privilege: map, ...overrides });
}
