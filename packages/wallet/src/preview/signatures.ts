import { type Hex, keccak256, toEventSelector, toFunctionSelector, toHex } from 'viem';

/*
 * What the preview recognises, by selector, event topic and storage slot: one table per concern,
 * so a new function or event is one line. Standard interfaces only; nothing keyed on a contract's name.
 */

export type FlagId =
  | 'delegatecall'
  | 'safe-owner-change'
  | 'safe-threshold-change'
  | 'safe-module-change'
  | 'safe-guard-change'
  | 'safe-fallback-handler-change'
  | 'safe-singleton-change'
  | 'proxy-implementation-change'
  | 'proxy-admin-change'
  | 'approval'
  | 'unlimited-approval'
  | 'approval-for-all'
  | 'reverts'
  | 'simulation-failed';

/** Calls that change who controls a Safe or a proxy (checked on every frame, so a MultiSend batch is seen too). */
export const controlFunctions: Record<Hex, { flag: FlagId; signature: string }> = Object.fromEntries(
  (
    [
      ['safe-owner-change', 'addOwnerWithThreshold(address,uint256)'],
      ['safe-owner-change', 'removeOwner(address,address,uint256)'],
      ['safe-owner-change', 'swapOwner(address,address,address)'],
      ['safe-threshold-change', 'changeThreshold(uint256)'],
      ['safe-module-change', 'enableModule(address)'],
      ['safe-module-change', 'disableModule(address,address)'],
      ['safe-guard-change', 'setGuard(address)'],
      ['safe-guard-change', 'setModuleGuard(address)'],
      ['safe-fallback-handler-change', 'setFallbackHandler(address)'],
      ['proxy-implementation-change', 'upgradeTo(address)'],
      ['proxy-implementation-change', 'upgradeToAndCall(address,bytes)'],
      ['proxy-implementation-change', 'upgrade(address,address)'],
      ['proxy-implementation-change', 'upgradeAndCall(address,address,bytes)'],
      ['proxy-admin-change', 'changeAdmin(address)'],
      ['proxy-admin-change', 'changeProxyAdmin(address,address)'],
    ] as const
  ).map(([flag, signature]) => [toFunctionSelector(`function ${signature}`), { flag, signature }]),
);

/** Events that say the same after the fact (Safe 1.3–1.5, EIP-1967). */
export const controlEvents: Record<Hex, { flag: FlagId; signature: string }> = Object.fromEntries(
  (
    [
      ['safe-owner-change', 'AddedOwner(address)'],
      ['safe-owner-change', 'RemovedOwner(address)'],
      ['safe-threshold-change', 'ChangedThreshold(uint256)'],
      ['safe-module-change', 'EnabledModule(address)'],
      ['safe-module-change', 'DisabledModule(address)'],
      ['safe-guard-change', 'ChangedGuard(address)'],
      ['safe-guard-change', 'ChangedModuleGuard(address)'],
      ['safe-fallback-handler-change', 'ChangedFallbackHandler(address)'],
      ['proxy-implementation-change', 'Upgraded(address)'],
      ['proxy-implementation-change', 'BeaconUpgraded(address)'],
      ['proxy-admin-change', 'AdminChanged(address,address)'],
    ] as const
  ).map(([flag, signature]) => [toEventSelector(`event ${signature}`), { flag, signature }]),
);

/** EIP-1967 slots: keccak256(label) − 1. */
const slotOf = (label: string) => toHex(BigInt(keccak256(toHex(label))) - 1n, { size: 32 });
export const proxySlots: Record<Hex, { flag: FlagId; name: string }> = {
  [slotOf('eip1967.proxy.implementation')]: { flag: 'proxy-implementation-change', name: 'implementation' },
  [slotOf('eip1967.proxy.beacon')]: { flag: 'proxy-implementation-change', name: 'beacon' },
  [slotOf('eip1967.proxy.admin')]: { flag: 'proxy-admin-change', name: 'admin' },
};
