import type { AbiEvent, AbiFunction, Hex } from 'viem';
import type { AdminChange } from '../events/types.ts';

/*
 * Privilege: which functions and events of a watched contract change or use control of it.
 * Classified once per contract from its ABI (or, without one, from a list of well-known
 * signatures), adjusted by the config, and refined by what the contract's history shows
 * (`PrivilegeHistory` in the profile). See docs/monitor/privilege.md.
 */

/**
 * - `initializer`: `initialize`, `init`, `reinitialize…`: meant to run once, by the deployer.
 * - `control`: changes who controls the contract (owner, admin, operator, guardian, minter,
 *   governor, keeper, roles, …).
 * - `upgrade`: changes the code (implementation, beacon).
 * - `pause`, `unpause`: the circuit breaker (routine admin work, never evidence by itself).
 * - `operation`: any other function only an admin is expected to call: parameter setters, mint,
 *   sweep, rescue, and functions only admins were seen calling.
 */
export type PrivilegeKind = 'initializer' | 'control' | 'upgrade' | 'pause' | 'unpause' | 'operation';

/** Where a classification came from. */
export type PrivilegeSource = 'abi' | 'standard' | 'config' | 'history';

export type PrivilegedFunction = {
  selector: Hex;
  signature: string;
  kind: PrivilegeKind;
  /** Indices of the address arguments naming who gets control or code (`control`, `upgrade`). */
  targets: number[];
  /** Index of a `bytes32` role argument. */
  role: number | undefined;
  /** The caller takes control itself (`acceptOwnership()`, `claimAdmin()`): the second step of a handover. */
  accepts: boolean;
  /** Takes power away (revoke, renounce, remove) rather than giving it. */
  revokes: boolean;
  source: PrivilegeSource;
  item: AbiFunction;
};

export type ControlEvent = {
  topic: Hex;
  signature: string;
  kind: 'control' | 'upgrade';
  /** Indices of the address arguments naming the new holder (or code). */
  targets: number[];
  role: number | undefined;
  revokes: boolean;
  /** A first step (pending, proposed, nominated): power moves only when it is accepted. */
  pending: boolean;
  /** How much power the change moves, for `admin-change` (same scale as its standard events). */
  weight: number;
  source: PrivilegeSource;
  item: AbiEvent;
};

/** A contract's privileged functions (by selector) and control events (by topic0). */
export type PrivilegeMap = {
  /** Whether it was classified from the contract's own ABI (otherwise from the well-known list). */
  fromAbi: boolean;
  functions: ReadonlyMap<Hex, PrivilegedFunction>;
  events: ReadonlyMap<Hex, ControlEvent>;
  /** Selectors the config declared not privileged: never privileged, not even by history. */
  notPrivileged: ReadonlySet<Hex>;
};

/** Config overrides for one contract: signatures (`setOperator(address)`), names, selectors or topics. */
export type PrivilegeOverrides = {
  privileged?: { functions?: readonly string[] | undefined; events?: readonly string[] | undefined } | undefined;
  notPrivileged?: readonly string[] | undefined;
};

/**
 * A change of control seen in one transaction on a watched contract: from a standard admin event,
 * a control event of its ABI, or (when it emitted none) a call to a control function.
 */
export type ControlChange = {
  contract: string;
  /** Event or function name (`OperatorUpdated`, `OwnershipTransferred`, `setOperator`). */
  name: string;
  source: 'standard-event' | 'event' | 'call';
  kind: 'control' | 'upgrade';
  /** The accounts (or code) given power; empty for a revocation. */
  targets: string[];
  /** The previous holder when the event names it. */
  previous: string | undefined;
  role: Hex | undefined;
  revokes: boolean;
  pending: boolean;
  /** The caller took control itself through an accept/claim function (the second step of a handover). */
  accepted: boolean;
  weight: number;
  logIndex: number | undefined;
  /** The decoded standard event, for `standard-event` changes. */
  standard?: AdminChange | undefined;
};
