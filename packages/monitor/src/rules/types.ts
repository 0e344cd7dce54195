import type { Tx } from '@bulwark/chain';
import type { RuleMetadata } from '@bulwark/core';
import type { ContractProfile, LiveWindows } from '../baseline/types.ts';
import type { MonitorEvent } from '../events/types.ts';
import type { PrivilegeMap } from '../privilege/types.ts';
import type { CreationSimulation } from '../simulate/types.ts';

/**
 * Where a signal sits in an attack. The composite score joins stages: preparation alone
 * (a fresh contract, a flash loan, probing) never pauses; exploitation or impact with
 * another signal does.
 */
export const ruleStages = ['preparation', 'exploitation', 'impact'] as const;
export type RuleStage = (typeof ruleStages)[number];

/** A threshold a rule reads, with its default and meaning (documented and validated in the config). */
export type RuleParameter = { default: number; description: string; minimum?: number; maximum?: number };

export type MonitorRuleMetadata = RuleMetadata & {
  /** Folder of the rule (value, actors, attack, admin). */
  category: string;
  stage: RuleStage;
  /**
   * What the rule needs from the node: `traces` (call trees), `logs`, `baseline` (a learned
   * profile). Without traces a rule that needs them loses coverage and says so at start. A rule
   * without `traces` also runs in a live block's early pass, on its receipts before its traces
   * (`earlyRules`): it must raise on the full block at least what it raises there.
   */
  needs: readonly ('traces' | 'logs' | 'baseline')[];
  /**
   * Rules that measure the same thing from different angles (outflow per transaction, per window,
   * as a share of TVL) share a family, which counts once in the composite score: one large
   * withdrawal must not look like two independent signals.
   */
  family?: string | undefined;
  /** Tunable thresholds; the config may override them per rule and per contract. */
  parameters: Record<string, RuleParameter>;
};

/** What a rule raises: a weighted signal. Alone, a signal only alerts; the composite score decides a pause. */
export type Signal = {
  ruleId: string;
  stage: RuleStage;
  /** The watched contract concerned. */
  contract: string;
  /** Strength in [0, 1]: how sure and how serious. The composite sums the strongest signal of each rule. */
  score: number;
  severity: 'critical' | 'high' | 'medium' | 'low' | 'info';
  title: string;
  summary: string;
  /** The account behind it when known (the transaction sender or the attacking contract). */
  actor?: string | undefined;
  /** Other accounts the signal ties to the attack (the new holder of a role handed over): their later transactions join this one's in the composite. */
  linked?: readonly string[] | undefined;
  details: Record<string, unknown>;
};

/** A watched contract as the rules see it. */
export type WatchedView = {
  address: string;
  name: string;
  /** What the contract is, which some rules use: a `token` mints, a `pool` has a price. */
  kind: 'vault' | 'token' | 'pool' | 'oracle' | 'market' | 'other';
  /** Learned behaviour; undefined before learning (rules that need a baseline stay silent). */
  profile: ContractProfile | undefined;
  /** Totals over each window ending at the transaction being evaluated, that transaction included. */
  live: LiveWindows;
  /** Accounts expected to make admin changes (config), lower-case. */
  trustedAdmins: ReadonlySet<string>;
  /** Privileged functions and control events, from the ABI and config; undefined: the well-known list. */
  privilege?: PrivilegeMap | undefined;
  /** The contract is paused (it emitted `Paused` and no `Unpaused` since): calls reverting now are no evidence. */
  paused?: boolean | undefined;
};

/** A contract created recently, on any address (not only watched ones). */
export type Creation = {
  address: string;
  creator: string;
  blockNumber: bigint;
  timestamp: bigint;
  txFrom: string;
  /**
   * What it has moved with each watched contract since it was created, by watched contract and
   * asset (before the transaction being evaluated): `taken` in transactions that paid nothing into
   * the watched contract, `given` in any.
   */
  flows?: Record<string, Record<string, { taken: number; given: number }>> | undefined;
};

/** The price of a watched pool: before the transaction, and each value during it (from its `Sync` logs). */
export type PriceTrace = { pool: string; before: number | undefined; during: number[] };

export type RuleContext = {
  chainId: number;
  blockNumber: bigint;
  timestamp: bigint;
  /** The raw transaction: receipt, logs, and call tree when traced. For a pending transaction, a receipt is simulated. */
  tx: Tx;
  /** True when the transaction is still in the mempool (evaluated from a `debug_traceCall` simulation). */
  pending: boolean;
  /** The normalised events of this transaction only. */
  events: readonly MonitorEvent[];
  /** Watched contracts by lower-case address. */
  watched: ReadonlyMap<string, WatchedView>;
  /** A contract created within the configured recent window, by address, or undefined. */
  recentCreation(address: string): Creation | undefined;
  /** Threat intelligence: a label for a known-malicious address, or undefined. */
  threatLabel(address: string): string | undefined;
  /** Prices of watched pools touched by this transaction. */
  prices: readonly PriceTrace[];
  /** The rule's thresholds for a contract: defaults, then the config's rule and contract overrides. */
  parameter(name: string, contract?: string): number;
  /**
   * Contracts created by this transaction that reference watched ones, simulated at its block
   * (docs/monitor/simulation.md); empty or absent when none was, or simulation is off.
   */
  simulations?: readonly CreationSimulation[] | undefined;
};

export type Rule = MonitorRuleMetadata & {
  /** Evaluates one transaction; returns the signals it raises (none for a benign one). Pure and fast. */
  evaluate(context: RuleContext): Signal[];
};
