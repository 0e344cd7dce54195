/*
 * A watched contract's learned behaviour (its profile) and the rolling windows the engine keeps
 * live. Plain JSON data: the profile is persisted in the store's `baselines` table and printed by
 * `bulwark baseline show`. Amounts are floats in the asset's smallest unit (wei): statistics need
 * no more than float precision, and exact values stay bigints in the events.
 */

/** The windows outflow, calls and failures are summed over. `1b` is one block. */
export const windowIds = ['1b', '5m', '1h', '24h'] as const;
export type WindowId = (typeof windowIds)[number];

/** Length of each window in seconds (`1b` is counted in blocks, not seconds). */
export const windowSeconds: Record<Exclude<WindowId, '1b'>, number> = { '5m': 300, '1h': 3_600, '24h': 86_400 };

/**
 * Running count, mean, variance (Welford's M2) and maximum of a series. `n` counts every sample;
 * `weight` is their total weight once old samples have decayed (see `decay.ts`; absent: `n`).
 */
export type RunningStats = { n: number; mean: number; m2: number; max: number; weight?: number | undefined };

/** Per-window maxima seen while learning (and updated online). */
export type WindowMaxima = Record<WindowId, number>;

export type AssetProfile = {
  /** Outflow per transaction that moved any of the asset out (transactions without outflow not counted). */
  outflowPerTx: RunningStats;
  /** Largest total outflow seen in any window of each length. */
  outflowWindowMax: WindowMaxima;
  inflowPerTx: RunningStats;
  /** Balance (TVL) when last known: read from the node at learning time, then moved by the flows. Decimal string. */
  balance: string | undefined;
  /** Highest balance seen. Decimal string. */
  peakBalance: string | undefined;
};

export type ContractProfile = {
  version: 1;
  chainId: number;
  address: string;
  /** Blocks and time the profile was learned from (and updated with online). */
  fromBlock: string;
  toBlock: string;
  fromTime: number;
  toTime: number;
  /** Blocks seen, and transactions that touched the contract. */
  blocks: number;
  txs: number;
  /** Calls into the contract by selector (`0x` for calls without data). */
  selectors: Record<string, { calls: number; failed: number; windowMax: WindowMaxima }>;
  /** Addresses seen calling the contract directly, with their call counts (bounded; see `maxCallers`). */
  callers: Record<string, number>;
  /** Calls and failed calls, all selectors. */
  calls: number;
  failed: number;
  /** Most failed calls in any window of each length. */
  failedWindowMax: WindowMaxima;
  /** Most transactions by one sender that took value out of the contract, in any window of each length. */
  senderOutflowTxsWindowMax: WindowMaxima;
  /** Gas used by transactions touching the contract. */
  gas: RunningStats;
  /** Per asset (`native` or the ERC-20 token address). */
  assets: Record<string, AssetProfile>;
  /** For a watched token: amount minted per transaction that minted, and the supply when known (decimal string). */
  mintPerTx: RunningStats;
  supply: string | undefined;
  /** Admin events seen by name, and the accounts that caused them (transaction senders). */
  adminEvents: Record<string, number>;
  adminActors: Record<string, number>;
  /** Logs emitted per transaction that touched the contract. */
  logsPerTx: RunningStats;
  /** For a watched pool: its last price (reserve1 / reserve0) and the largest relative move within one transaction. */
  price: { last: number; maxTxMove: number } | undefined;
  /** Who called what, for privilege (privilege/learn.ts); absent in profiles stored before it existed. */
  privilege?: PrivilegeHistory | undefined;
  /** Time (unix seconds) of the transaction the learned behaviour was last decayed to (see `decay.ts`). */
  decayedAt?: number | undefined;
};

/** Learned callers per selector and the accounts seen administering the contract (see docs/monitor/privilege.md). */
export type PrivilegeHistory = {
  /** Successful direct callers of each selector with their call counts, at most 16 accounts per selector. */
  callers: Record<string, Record<string, number>>;
  /** Selectors called by more distinct accounts than are kept: public entry points. */
  crowded: string[];
  /** Accounts that called a privileged function or made a control change (senders and direct callers), with counts. */
  admins: Record<string, number>;
};

/** Totals over each window ending at (and including) the transaction being evaluated. */
export type WindowTotals = {
  outflow: Record<string, number>;
  failed: number;
  calls: Record<string, number>;
  txs: number;
  /** Transactions that took value out of the contract, by sender. */
  outflowTxsBySender: Record<string, number>;
};

export type LiveWindows = Record<WindowId, WindowTotals>;
