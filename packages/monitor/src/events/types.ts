import type { Address, Hex } from 'viem';

/*
 * Normalised monitor events: what the rules and baselines read, derived from one `@bulwark/chain`
 * block by `normalizeBlock` (pure, no RPC). Addresses are lower-case hex, quantities bigints.
 */

/** Where an event comes from: a transaction of a block. */
export type EventContext = {
  chainId: number;
  blockNumber: bigint;
  blockHash: Hex;
  timestamp: bigint;
  txHash: Hex;
  /** Position of the transaction in its block. */
  txIndex: number;
  /** The transaction's sender (the EOA behind every frame of its trace). */
  txFrom: Address;
  /** Whether the transaction succeeded (its receipt's status). */
  txSuccess: boolean;
};

/**
 * `trace`: from a call-trace frame; `tx`: from the transaction itself, where the block or the
 * transaction has no trace (then only the top-level call, value and creation are seen).
 */
export type FrameSource = 'trace' | 'tx';

/** A call into a watched contract: the transaction's own call, or an internal call from its trace. */
export type CallEvent = EventContext & {
  type: 'call';
  /** The watched contract called (the frame's `to`; for a DELEGATECALL, the code run in `caller`'s storage). */
  contract: Address;
  /** The frame's `from`: the EOA at depth 0, a contract below. */
  caller: Address;
  /** 0 for the transaction's own call. */
  depth: number;
  /** Index of the frame in the trace, depth-first (0 for the root); 0 when `source` is `tx`. */
  frameIndex: number;
  callType: string;
  /** First four bytes of the input; undefined for a call without data (plain ether transfer). */
  selector: Hex | undefined;
  input: Hex;
  value: bigint;
  delegatecall: boolean;
  /** The frame and every frame around it succeeded, and so did the transaction. */
  success: boolean;
  /** The frame's own error, if it failed. */
  error: string | undefined;
  source: FrameSource;
};

/** Native ether or an ERC-20 token moving from or to a watched address; only from successful transactions. */
export type ValueFlowEvent = EventContext & {
  type: 'value-flow';
  /** `native`, or the ERC-20 token contract. */
  asset: 'native' | Address;
  from: Address;
  to: Address;
  amount: bigint;
  /** Whether `from` / `to` is watched (a mint or burn by a watched token has neither). */
  fromWatched: boolean;
  toWatched: boolean;
  /** `trace` / `tx` for ether, `log` for an ERC-20 `Transfer`. */
  source: FrameSource | 'log';
  /** Depth of the moving frame (native from a trace); undefined otherwise. */
  depth: number | undefined;
  frameIndex: number | undefined;
  /** Index of the `Transfer` log in the block (ERC-20); undefined otherwise. */
  logIndex: number | undefined;
};

/** A decoded well-known admin event (OpenZeppelin layouts and Bulwark's breaker events). */
export type AdminChange =
  | { name: 'OwnershipTransferred' | 'OwnershipTransferStarted'; previousOwner: Address; newOwner: Address }
  | { name: 'RoleGranted' | 'RoleRevoked'; role: Hex; account: Address; sender: Address }
  | { name: 'RoleAdminChanged'; role: Hex; previousAdminRole: Hex; newAdminRole: Hex }
  | { name: 'Upgraded'; implementation: Address }
  | { name: 'BeaconUpgraded'; beacon: Address }
  /** ERC-1967 (data) and Bulwark's `GuardianPausable` (indexed) share the signature. */
  | { name: 'AdminChanged' | 'AdminTransferStarted'; previousAdmin: Address; newAdmin: Address }
  | { name: 'GuardianChanged'; previousGuardian: Address; newGuardian: Address }
  | { name: 'Paused' | 'Unpaused' | 'UnpauseCancelled'; account: Address }
  | { name: 'UnpauseRequested'; readyAt: bigint };

export type AdminChangeName = AdminChange['name'];

/** An admin event emitted by a watched contract. */
export type AdminEvent = EventContext & {
  type: 'admin';
  contract: Address;
  logIndex: number;
  change: AdminChange;
};

/** A contract created in the block (by a transaction or by a factory inside a trace). */
export type CreationEvent = EventContext & {
  type: 'creation';
  /** The new contract. */
  address: Address;
  /** Who deployed it: the EOA for a deployment transaction, the factory contract below. */
  creator: Address;
  createType: 'CREATE' | 'CREATE2';
  depth: number;
  frameIndex: number;
  value: bigint;
  source: FrameSource;
};

/**
 * A watched contract entered again while an earlier frame running in its storage is still open,
 * through at least one other contract (A → X → A). One event per re-entering frame.
 */
export type ReentrancyEvent = EventContext & {
  type: 'reentrancy';
  /** The re-entered watched contract (the storage context: a proxy for a DELEGATECALL into its implementation). */
  contract: Address;
  /** Depth of the earliest open frame of `contract`, and of the re-entering frame. */
  firstDepth: number;
  depth: number;
  frameIndex: number;
  /** Frames of `contract` open when it is entered again (1 for A → X → A). */
  nesting: number;
  /** The call targets from the root to the re-entering frame (`path[depth]` is the re-entering one). */
  path: Address[];
  /** The caller of the re-entering frame (X in A → X → A). */
  reenteredBy: Address;
  selector: Hex | undefined;
  callType: string;
  /** The re-entering frame (and everything around it) succeeded. */
  success: boolean;
};

export type MonitorEvent = CallEvent | ValueFlowEvent | AdminEvent | CreationEvent | ReentrancyEvent;
export type MonitorEventType = MonitorEvent['type'];
