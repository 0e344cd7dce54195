import type { RpcPool } from '@bulwark/chain';
import { type Address, getAddress, type Hex, zeroAddress } from 'viem';
import { transferTopic } from '../../tokens.ts';
import { readHead, toQuantity } from '../accountInfo.ts';
import { addressTopic, getLogsChunked, type RpcLog } from '../getLogsChunked.ts';
import { isLookalike, type LookalikeOptions } from './checkDestination.ts';

/** A transfer of less than this fraction of what the owner really sent that counterparty is dust. */
const dustDivisor = 1_000n;

export type PoisoningEvidenceKind =
  /** Transfer(owner → look-alike, 0) in a transaction the owner did not send: a forged entry in the owner's outgoing history (transferFrom of 0). */
  | 'zero-value-transfer-from-owner'
  | 'zero-value-transfer-to-owner'
  /** A tiny amount of a token the owner really uses with the imitated counterparty. */
  | 'dust-transfer'
  /** A token the owner never sent the imitated counterparty: often a fake with a real token's name. */
  | 'unfamiliar-token-transfer'
  /** The owner itself already sent value to the look-alike. */
  | 'owner-sent-to-lookalike';

export type PoisoningEvidence = {
  kind: PoisoningEvidenceKind;
  token: Address;
  from: Address;
  to: Address;
  amount: bigint;
  block: bigint;
  transactionHash: Hex;
};

export type PoisoningFinding = {
  lookalike: Address;
  imitates: Address[];
  severity: 'critical' | 'high';
  evidence: PoisoningEvidence[];
  message: string;
};

export type FindPoisoningParameters = LookalikeOptions & {
  address: Address;
  fromBlock?: bigint | undefined;
  toBlock?: bigint | undefined;
  chunkSize?: bigint | undefined;
  /**
   * Also read plain ether transfers by fetching every block of the range (one request a block:
   * give a bounded range). Token transfers come from the logs either way.
   */
  native?: boolean | undefined;
  /** Addresses the owner deals with besides those read from history (an address book). */
  knownCounterparties?: readonly Address[] | undefined;
};

export type FindPoisoningReturnType = {
  address: Address;
  fromBlock: bigint;
  toBlock: bigint;
  /** Addresses the owner really sent tokens to (in transactions it sent), plus the address book. */
  counterparties: Address[];
  findings: PoisoningFinding[];
  /** Transfers read: tokens (ERC-20 and ERC-721 share the Transfer event), plus ether with `native`. */
  transfersRead: number;
};

type Transfer = { token: Address; from: Address; to: Address; amount: bigint; log: RpcLog };

/**
 * Reads the token transfers into and out of `address` and finds address poisoning: look-alike
 * addresses (same characters at both ends as a real counterparty) that appear in the history
 * through zero-value transfers, forged zero-amount transferFrom entries, dust, or unfamiliar tokens.
 */
export async function findPoisoning(
  pool: RpcPool,
  parameters: FindPoisoningParameters,
): Promise<FindPoisoningReturnType> {
  const owner = getAddress(parameters.address);
  const head = await readHead(pool);
  const fromBlock = parameters.fromBlock ?? 0n;
  const toBlock = parameters.toBlock ?? head.number;
  const ownerTopic = addressTopic(owner);
  const range = { fromBlock, toBlock, chunkSize: parameters.chunkSize };
  const [outgoing, incoming] = await Promise.all([
    getLogsChunked(pool, { topics: [transferTopic, ownerTopic], ...range }),
    getLogsChunked(pool, { topics: [transferTopic, null, ownerTopic], ...range }),
  ]);
  const transfers = [...outgoing, ...incoming].map(toTransfer).filter((t): t is Transfer => t !== undefined);

  // Who sent each transaction: a Transfer out of the owner in a transaction someone else sent is not the owner's doing.
  const senders = new Map<Hex, Address>();
  if (parameters.native) {
    for (const { transfer, sender } of await readEtherTransfers(pool, owner, fromBlock, toBlock)) {
      transfers.push(transfer);
      senders.set(transfer.log.transactionHash, sender);
    }
  }
  const senderOf = async (hash: Hex) => {
    let sender = senders.get(hash);
    if (!sender) {
      const tx = await pool.request<{ from: Address }>('eth_getTransactionByHash', [hash]);
      sender = getAddress(tx.from);
      senders.set(hash, sender);
    }
    return sender;
  };

  // Real counterparties: recipients of value the owner itself sent, with the tokens and smallest amounts used.
  const sentByOwner: Transfer[] = [];
  for (const transfer of transfers) {
    if (transfer.from === owner && transfer.amount > 0n && (await senderOf(transfer.log.transactionHash)) === owner) {
      sentByOwner.push(transfer);
    }
  }
  const counterparties = [
    ...new Set([...sentByOwner.map((t) => t.to), ...(parameters.knownCounterparties ?? []).map((a) => getAddress(a))]),
  ];
  // The first of look-alike counterparties to be paid is taken as the real one; address-book entries come first.
  const firstPaid = new Map<Address, bigint>();
  for (const a of parameters.knownCounterparties ?? []) firstPaid.set(getAddress(a), -1n);
  for (const t of sentByOwner) {
    const block = BigInt(t.log.blockNumber);
    const seen = firstPaid.get(t.to);
    if (seen === undefined || block < seen) firstPaid.set(t.to, block);
  }
  const imitatedBy = (other: Address) => {
    const paid = firstPaid.get(other);
    return counterparties.filter((c) => {
      const realPaid = firstPaid.get(c);
      return isLookalike(other, c, parameters) && (paid === undefined || (realPaid !== undefined && realPaid < paid));
    });
  };
  const usual = new Map<string, bigint>(); // `${counterparty}:${token}` → smallest amount the owner sent
  for (const t of sentByOwner) {
    const key = `${t.to}:${t.token}`;
    const seen = usual.get(key);
    if (seen === undefined || t.amount < seen) usual.set(key, t.amount);
  }

  const byLookalike = new Map<Address, PoisoningFinding>();
  for (const transfer of transfers) {
    const other = transfer.from === owner ? transfer.to : transfer.from;
    if (other === owner) continue;
    const imitates = imitatedBy(other);
    if (imitates.length === 0) continue;
    const kind = await classify(transfer, owner, imitates, usual, senderOf);
    if (!kind) continue;
    const finding = byLookalike.get(other) ?? {
      lookalike: other,
      imitates,
      severity: 'high' as const,
      evidence: [],
      message: '',
    };
    finding.evidence.push({
      kind,
      token: transfer.token,
      from: transfer.from,
      to: transfer.to,
      amount: transfer.amount,
      block: BigInt(transfer.log.blockNumber),
      transactionHash: transfer.log.transactionHash,
    });
    byLookalike.set(other, finding);
  }
  const findings = [...byLookalike.values()].map((finding) => {
    const sent = finding.evidence.some((e) => e.kind === 'owner-sent-to-lookalike');
    return {
      ...finding,
      severity: sent ? ('critical' as const) : ('high' as const),
      message: sent
        ? `${owner} already sent value to ${finding.lookalike}, a look-alike of ${finding.imitates.join(', ')}: check whether that payment was meant for the real address.`
        : `${finding.lookalike} imitates ${finding.imitates.join(', ')} and planted ${finding.evidence.length} transfer(s) in the history: never copy addresses from the history.`,
    };
  });
  findings.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'critical' ? -1 : 1));
  return { address: owner, fromBlock, toBlock, counterparties, findings, transfersRead: transfers.length };
}

type RpcBlockWithTransactions = {
  number: Hex;
  transactions: { hash: Hex; from: Address; to: Address | null; value: Hex; input: Hex }[];
};

/** Ether moved to or from `owner` by top-level transactions in the range (the token is the zero address). */
async function readEtherTransfers(
  pool: RpcPool,
  owner: Address,
  fromBlock: bigint,
  toBlock: bigint,
): Promise<{ transfer: Transfer; sender: Address }[]> {
  const found: { transfer: Transfer; sender: Address }[] = [];
  const batch = 8n;
  for (let start = fromBlock; start <= toBlock; start += batch) {
    const numbers: bigint[] = [];
    for (let n = start; n < start + batch && n <= toBlock; n++) numbers.push(n);
    const blocks = await Promise.all(
      numbers.map((n) => pool.request<RpcBlockWithTransactions | null>('eth_getBlockByNumber', [toQuantity(n), true])),
    );
    for (const block of blocks) {
      for (const tx of block?.transactions ?? []) {
        // A contract call without value is not an ether transfer (its token moves are in the logs).
        if (!tx.to || (BigInt(tx.value) === 0n && tx.input !== '0x')) continue;
        const from = getAddress(tx.from);
        const to = getAddress(tx.to);
        if (from !== owner && to !== owner) continue;
        const log: RpcLog = {
          address: zeroAddress,
          topics: [],
          data: '0x',
          blockNumber: block!.number,
          transactionHash: tx.hash,
          logIndex: '0x0',
        };
        found.push({ transfer: { token: zeroAddress, from, to, amount: BigInt(tx.value), log }, sender: from });
      }
    }
  }
  return found;
}

function toTransfer(log: RpcLog): Transfer | undefined {
  const [, from, to, tokenId] = log.topics;
  if (!from || !to) return undefined;
  const address = (topic: Hex) => getAddress(`0x${topic.slice(-40)}`);
  // ERC-721 puts the token id in a fourth topic: one item moves.
  const amount = tokenId ? 1n : log.data && log.data !== '0x' ? BigInt(log.data.slice(0, 66)) : 0n;
  return { token: getAddress(log.address), from: address(from), to: address(to), amount, log };
}

async function classify(
  transfer: Transfer,
  owner: Address,
  imitates: Address[],
  usual: Map<string, bigint>,
  senderOf: (hash: Hex) => Promise<Address>,
): Promise<PoisoningEvidenceKind | undefined> {
  const outgoing = transfer.from === owner;
  if (outgoing && transfer.amount > 0n && (await senderOf(transfer.log.transactionHash)) === owner) {
    return 'owner-sent-to-lookalike';
  }
  if (transfer.amount === 0n) return outgoing ? 'zero-value-transfer-from-owner' : 'zero-value-transfer-to-owner';
  const familiar = imitates.map((c) => usual.get(`${c}:${transfer.token}`)).filter((a): a is bigint => a !== undefined);
  if (familiar.length === 0) return 'unfamiliar-token-transfer';
  const smallest = familiar.reduce((a, b) => (a < b ? a : b));
  return transfer.amount * dustDivisor <= smallest ? 'dust-transfer' : undefined;
}
