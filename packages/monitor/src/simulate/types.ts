import type { Hex } from 'viem';

/** One simulated call into a new contract: the function, the argument shape and the ether sent. */
export type SimulatedCall = {
  from: string;
  selector: Hex;
  /** `zero`, `small`, `amount`, `deployer` or `protected` (every argument word set alike), or `amount-first` (then zeros). */
  args: string;
  /** Ether sent with the call, in wei (decimal). */
  value: string;
  reverted: boolean;
};

/** What one simulated call moved out of (and back into) one protected contract, per asset. */
export type SimulatedFlow = {
  contract: string;
  /** `native` or the ERC-20 token. */
  asset: string;
  /** Wei or token units (decimal strings): what left, what came back in, and the difference. */
  out: string;
  in: string;
  net: string;
  /** Where what left went. */
  recipients: string[];
};

/** Value that would leave a protected contract with nothing comparable coming back. */
export type SimulatedDrain = SimulatedFlow & {
  /** The contract's holdings of the asset at the deployment block (decimal). */
  holdings: string;
  /** `net / holdings`, 1 when the contract held nothing of it. */
  share: number;
  call: SimulatedCall;
  /**
   * For a trade that brought too little back: the watched pool whose price valued what came back
   * (`worth`, in the asset that left), and that flow; `net` is then the shortfall.
   */
  pricedBy?: { pool: string; got: SimulatedFlow; worth: string } | undefined;
};

/**
 * A call that took one asset out of a protected contract and brought another one back: a trade,
 * at a fair price by `pool` when a watched pool holds both, unpriced otherwise.
 */
export type SimulatedTrade = {
  contract: string;
  gave: SimulatedFlow[];
  got: SimulatedFlow[];
  call: SimulatedCall;
  pool?: string | undefined;
};

/** A new contract that references protected ones, simulated at the block that created it. */
export type CreationSimulation = {
  /** The creating transaction. */
  txHash: string;
  blockNumber: bigint;
  address: string;
  /** The deployer whose calls were simulated (the creating transaction's sender). */
  deployer: string;
  /** Protected contracts the code references, and how (`address` in the code or the constructor arguments, `selectors` it calls). */
  references: { contract: string; by: 'address' | 'selectors' }[];
  /** Functions read from its dispatcher, and how many were called (at most the configured maximum). */
  functions: number;
  calls: number;
  reverted: number;
  /** The largest net outflow seen per protected contract and asset, largest share first. */
  drains: SimulatedDrain[];
  trades: SimulatedTrade[];
  /** Why the simulation stopped short, when it did (the node has no `debug_traceCall`, an RPC error). */
  error?: string | undefined;
};
