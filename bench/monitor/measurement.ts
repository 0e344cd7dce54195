/**
 * Funds lost and saved in an attack, counted from what moved: value that left the holders at risk
 * (the victim, or the users whose approvals it holds) for an address the attacker controls, in a
 * transaction the attacker sent. Benign traffic on the same victim does not blur the count.
 */
import type { Address, Hex } from 'viem';

export const transferTopic: Hex = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef';

export type Log = { address: string; topics: readonly string[]; data: string };
/** A callTracer frame: only what the count reads. */
export type Frame = { from: string; to?: string; value?: string; error?: string; calls?: Frame[] };

export type LossScope = {
  holders: ReadonlySet<string>;
  attacker: ReadonlySet<string>;
  /** ERC-20s counted; ether is always counted. */
  tokens: ReadonlySet<string>;
};

const topicAddress = (topic: string) => `0x${topic.slice(-40)}`.toLowerCase();

/**
 * Value moved from a holder to the attacker by one successful transaction's logs and trace, net of
 * what the attacker paid in to the holders in the same transaction (the reentrancy attacker's own
 * deposit, the flash-loan attacker's collateral), never below zero.
 */
export function lossOfTransaction(scope: LossScope, logs: readonly Log[], trace: Frame | undefined): bigint {
  let lost = 0n;
  let paidIn = 0n;
  for (const log of logs) {
    if (log.topics[0] !== transferTopic || log.topics.length !== 3) continue;
    if (!scope.tokens.has(log.address.toLowerCase())) continue;
    const [from, to] = [topicAddress(log.topics[1]!), topicAddress(log.topics[2]!)];
    if (scope.holders.has(from) && scope.attacker.has(to)) lost += BigInt(log.data);
    if (scope.attacker.has(from) && scope.holders.has(to)) paidIn += BigInt(log.data);
  }
  const visit = (frame: Frame) => {
    // A frame that failed was rolled back with everything under it.
    if (frame.error) return;
    const value = frame.value ? BigInt(frame.value) : 0n;
    const from = frame.from.toLowerCase();
    const to = frame.to?.toLowerCase();
    if (value > 0n && to !== undefined) {
      if (scope.holders.has(from) && scope.attacker.has(to)) lost += value;
      if (scope.attacker.has(from) && scope.holders.has(to)) paidIn += value;
    }
    for (const call of frame.calls ?? []) visit(call);
  };
  if (trace) visit(trace);
  return lost > paidIn ? lost - paidIn : 0n;
}

export type AttackFunds = {
  atRisk: bigint;
  lost: bigint;
  /** Taken by the first malicious transaction when it spent no time pending: no responder could stop it. */
  unavoidable: bigint;
};

/** Saved = at risk − lost, as a share of what was at risk (1 when nothing was at risk). */
export function savedShare(funds: Pick<AttackFunds, 'atRisk' | 'lost'>): number {
  if (funds.atRisk <= 0n) return 1;
  const lost = funds.lost > funds.atRisk ? funds.atRisk : funds.lost;
  return Number(((funds.atRisk - lost) * 1_000_000n) / funds.atRisk) / 1_000_000;
}

/** The best share any responder could save: all but what the unpreventable first transaction took. */
export function reachableShare(funds: Pick<AttackFunds, 'atRisk' | 'unavoidable'>): number {
  return savedShare({ atRisk: funds.atRisk, lost: funds.unavoidable });
}

export const lowerSet = (addresses: readonly (Address | string)[]) => new Set(addresses.map((a) => a.toLowerCase()));

/** Sums `lossOfTransaction` over the attacker's mined transactions (receipts and callTracer traces from the node). */
export async function measureLoss(
  client: { request: (args: { method: string; params: unknown[] }) => Promise<unknown> },
  scope: LossScope,
  hashes: readonly Hex[],
): Promise<bigint> {
  let lost = 0n;
  for (const hash of hashes) {
    const receipt = (await client.request({ method: 'eth_getTransactionReceipt', params: [hash] })) as {
      status: Hex;
      logs: Log[];
    } | null;
    if (receipt?.status !== '0x1') continue;
    const trace = (await client.request({
      method: 'debug_traceTransaction',
      params: [hash, { tracer: 'callTracer' }],
    })) as Frame;
    lost += lossOfTransaction(scope, receipt.logs, trace);
  }
  return lost;
}
