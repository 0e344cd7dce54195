import type { RpcPool } from '@bulwark/chain';
import {
  type Address,
  decodeAbiParameters,
  decodeFunctionResult,
  encodeFunctionData,
  getAddress,
  type Hex,
  parseAbi,
  zeroAddress,
} from 'viem';
import {
  approvalForAllTopic,
  approvalTopic,
  permit2ApprovalTopic,
  permit2PermitTopic,
  unlimitedAmount,
} from '../../tokens.ts';
import { type AccountInfo, getAccountInfo, isFresh, readHead, toQuantity } from '../accountInfo.ts';
import { addressTopic, getLogsChunked, type RpcLog } from '../getLogsChunked.ts';
import { knownSpenderName, permit2Address } from '../knownAddresses.ts';

export const approvalAbi = parseAbi([
  'event Approval(address indexed owner, address indexed spender, uint256 value)',
  'event ApprovalForAll(address indexed owner, address indexed operator, bool approved)',
  'function allowance(address owner, address spender) view returns (uint256)',
  'function approve(address spender, uint256 amount) returns (bool)',
  'function getApproved(uint256 tokenId) view returns (address)',
  'function ownerOf(uint256 tokenId) view returns (address)',
  'function isApprovedForAll(address owner, address operator) view returns (bool)',
  'function setApprovalForAll(address operator, bool approved)',
]);

export const permit2Abi = parseAbi([
  'event Approval(address indexed owner, address indexed token, address indexed spender, uint160 amount, uint48 expiration)',
  'event Permit(address indexed owner, address indexed token, address indexed spender, uint160 amount, uint48 expiration, uint48 nonce)',
  'function allowance(address owner, address token, address spender) view returns (uint160 amount, uint48 expiration, uint48 nonce)',
  'function approve(address token, address spender, uint160 amount, uint48 expiration)',
]);

const topics = {
  approval: approvalTopic,
  approvalForAll: approvalForAllTopic,
  permit2Approval: permit2ApprovalTopic,
  permit2Permit: permit2PermitTopic,
};

export type ApprovalKind = 'erc20' | 'erc721' | 'operator' | 'permit2';

export type ApprovalRisk = 'high' | 'medium' | 'low';

export type ApprovalFlag = 'unlimited' | 'plain-account' | 'recent-contract' | 'delegated-account' | 'expired';

export type TokenApproval = {
  kind: ApprovalKind;
  /** The token or NFT collection. */
  token: Address;
  spender: Address;
  /** ERC-721 single approvals. */
  tokenId: bigint | undefined;
  /** Current allowance read on chain (ERC-20, Permit2); 1n for a live NFT or operator approval. */
  allowance: bigint;
  /** Permit2 allowances expire (unix seconds). */
  expiration: bigint | undefined;
  /** Block and transaction of the last approval event. */
  block: bigint;
  transactionHash: Hex;
  spenderName: string | undefined;
  spenderInfo: AccountInfo;
  flags: ApprovalFlag[];
  risk: ApprovalRisk;
  /** Whether the spender's source is verified on an explorer: no explorer is configured, so never checked. */
  verified: 'not-checked';
  /** The transaction that revokes it, sent from the owner. */
  revoke: { to: Address; data: Hex; description: string };
};

export type ListApprovalsParameters = {
  owner: Address;
  fromBlock?: bigint | undefined;
  toBlock?: bigint | undefined;
  chunkSize?: bigint | undefined;
};

export type ListApprovalsReturnType = {
  owner: Address;
  fromBlock: bigint;
  toBlock: bigint;
  /** Approvals still live on chain, riskiest first. */
  approvals: TokenApproval[];
  /** Approvals found in the logs that are no longer live (revoked, spent, expired, NFT moved). */
  inactive: number;
};

type Candidate = { kind: ApprovalKind; token: Address; spender: Address; tokenId: bigint | undefined; log: RpcLog };

/**
 * Every ERC-20, ERC-721 (single and ApprovalForAll, which ERC-1155 shares) and Permit2 approval
 * `owner` granted, from the logs, with what is still live read on chain, flagged by risk, and
 * the transaction that revokes each.
 */
export async function listApprovals(
  pool: RpcPool,
  parameters: ListApprovalsParameters,
): Promise<ListApprovalsReturnType> {
  const owner = getAddress(parameters.owner);
  const head = await readHead(pool);
  const toBlock = parameters.toBlock ?? head.number;
  const fromBlock = parameters.fromBlock ?? 0n;
  const ownerTopic = addressTopic(owner);
  const logs = await getLogsChunked(pool, {
    topics: [[topics.approval, topics.approvalForAll, topics.permit2Approval, topics.permit2Permit], ownerTopic],
    fromBlock,
    toBlock,
    chunkSize: parameters.chunkSize,
  });

  // The last event per (kind, token, spender, tokenId) wins; the chain is asked what is live now.
  const latest = new Map<string, Candidate>();
  for (const log of logs) {
    const candidate = toCandidate(log);
    if (!candidate) continue;
    const key = `${candidate.kind}:${candidate.token}:${candidate.spender}:${candidate.tokenId ?? ''}`;
    latest.set(key, candidate);
  }

  const infos = new Map<string, AccountInfo>();
  const approvals: TokenApproval[] = [];
  let inactive = 0;
  for (const candidate of latest.values()) {
    const state = await readState(pool, owner, candidate, toBlock);
    if (!state || (state.expiration !== undefined && state.expiration < head.timestamp)) {
      inactive++;
      continue;
    }
    let info = infos.get(candidate.spender);
    if (!info) {
      info = await getAccountInfo(pool, candidate.spender, head);
      infos.set(candidate.spender, info);
    }
    approvals.push(assess(candidate, state, info));
  }
  const rank: Record<ApprovalRisk, number> = { high: 0, medium: 1, low: 2 };
  approvals.sort((a, b) => rank[a.risk] - rank[b.risk] || Number(b.block - a.block));
  return { owner, fromBlock, toBlock, approvals, inactive };
}

function toCandidate(log: RpcLog): Candidate | undefined {
  const [topic0, , topic2, topic3] = log.topics;
  const addressAt = (topic: Hex | undefined) => getAddress(`0x${(topic ?? '').slice(-40)}`);
  const token = getAddress(log.address);
  if (topic0 === topics.approval && log.topics.length === 3) {
    return { kind: 'erc20', token, spender: addressAt(topic2), tokenId: undefined, log };
  }
  if (topic0 === topics.approval && log.topics.length === 4) {
    return { kind: 'erc721', token, spender: addressAt(topic2), tokenId: BigInt(topic3 as Hex), log };
  }
  if (topic0 === topics.approvalForAll)
    return { kind: 'operator', token, spender: addressAt(topic2), tokenId: undefined, log };
  // Permit2 events count only from Permit2 itself: anyone can emit a look-alike event.
  if ((topic0 === topics.permit2Approval || topic0 === topics.permit2Permit) && token === permit2Address) {
    return { kind: 'permit2', token: addressAt(topic2), spender: addressAt(topic3), tokenId: undefined, log };
  }
  return undefined;
}

type State = { allowance: bigint; expiration: bigint | undefined };

async function call(pool: RpcPool, to: Address, data: Hex, block: bigint): Promise<Hex | undefined> {
  try {
    return await pool.request<Hex>('eth_call', [{ to, data }, toQuantity(block)]);
  } catch {
    // A token that reverts or lacks the function (a fake token, a self-destructed one) has no live approval to show.
    return undefined;
  }
}

async function readState(
  pool: RpcPool,
  owner: Address,
  candidate: Candidate,
  block: bigint,
): Promise<State | undefined> {
  const { kind, token, spender, tokenId } = candidate;
  if (kind === 'erc20') {
    const result = await call(
      pool,
      token,
      encodeFunctionData({ abi: approvalAbi, functionName: 'allowance', args: [owner, spender] }),
      block,
    );
    if (!result || result === '0x') return undefined;
    const allowance = decodeFunctionResult({ abi: approvalAbi, functionName: 'allowance', data: result });
    return allowance > 0n ? { allowance, expiration: undefined } : undefined;
  }
  if (kind === 'erc721') {
    if (spender === zeroAddress || tokenId === undefined) return undefined;
    const approved = await call(
      pool,
      token,
      encodeFunctionData({ abi: approvalAbi, functionName: 'getApproved', args: [tokenId] }),
      block,
    );
    const holder = await call(
      pool,
      token,
      encodeFunctionData({ abi: approvalAbi, functionName: 'ownerOf', args: [tokenId] }),
      block,
    );
    if (!approved || !holder) return undefined;
    const live =
      decodeFunctionResult({ abi: approvalAbi, functionName: 'getApproved', data: approved }) === spender &&
      decodeFunctionResult({ abi: approvalAbi, functionName: 'ownerOf', data: holder }) === owner;
    return live ? { allowance: 1n, expiration: undefined } : undefined;
  }
  if (kind === 'operator') {
    const result = await call(
      pool,
      token,
      encodeFunctionData({ abi: approvalAbi, functionName: 'isApprovedForAll', args: [owner, spender] }),
      block,
    );
    if (!result) return undefined;
    return decodeFunctionResult({ abi: approvalAbi, functionName: 'isApprovedForAll', data: result })
      ? { allowance: 1n, expiration: undefined }
      : undefined;
  }
  const result = await call(
    pool,
    permit2Address,
    encodeFunctionData({ abi: permit2Abi, functionName: 'allowance', args: [owner, token, spender] }),
    block,
  );
  if (!result) return undefined;
  const [amount, expiration] = decodeAbiParameters(
    [{ type: 'uint160' }, { type: 'uint48' }, { type: 'uint48' }],
    result,
  );
  return amount > 0n ? { allowance: amount, expiration: BigInt(expiration) } : undefined;
}

function assess(candidate: Candidate, state: State, info: AccountInfo): TokenApproval {
  const spenderName = knownSpenderName(candidate.spender);
  const flags: ApprovalFlag[] = [];
  // An operator approval covers every NFT of the collection, present and future.
  if (candidate.kind === 'operator' || state.allowance >= unlimitedAmount) flags.push('unlimited');
  if (info.kind === 'account') flags.push('plain-account');
  if (info.kind === 'delegated') flags.push('delegated-account');
  // A well-known address cannot be a drainer's new deployment, whatever a test chain says of its age.
  if (isFresh(info) && !spenderName) flags.push('recent-contract');
  const risk: ApprovalRisk =
    flags.includes('plain-account') || flags.includes('recent-contract') || flags.includes('delegated-account')
      ? 'high'
      : flags.includes('unlimited') && !spenderName
        ? 'medium'
        : 'low';
  return {
    kind: candidate.kind,
    token: candidate.token,
    spender: candidate.spender,
    tokenId: candidate.tokenId,
    allowance: state.allowance,
    expiration: state.expiration,
    block: BigInt(candidate.log.blockNumber),
    transactionHash: candidate.log.transactionHash,
    spenderName,
    spenderInfo: info,
    flags,
    risk,
    verified: 'not-checked',
    revoke: revokeTransaction(candidate),
  };
}

/** The call the owner sends to withdraw an approval. */
export function revokeTransaction(
  approval: Pick<Candidate, 'kind' | 'token' | 'spender' | 'tokenId'>,
): TokenApproval['revoke'] {
  const { kind, token, spender, tokenId } = approval;
  switch (kind) {
    case 'erc20':
      return {
        to: token,
        data: encodeFunctionData({ abi: approvalAbi, functionName: 'approve', args: [spender, 0n] }),
        description: `approve(${spender}, 0)`,
      };
    case 'erc721':
      return {
        to: token,
        data: encodeFunctionData({ abi: approvalAbi, functionName: 'approve', args: [zeroAddress, tokenId ?? 0n] }),
        description: `approve(${zeroAddress}, ${tokenId})`,
      };
    case 'operator':
      return {
        to: token,
        data: encodeFunctionData({ abi: approvalAbi, functionName: 'setApprovalForAll', args: [spender, false] }),
        description: `setApprovalForAll(${spender}, false)`,
      };
    case 'permit2':
      return {
        to: permit2Address,
        data: encodeFunctionData({ abi: permit2Abi, functionName: 'approve', args: [token, spender, 0n, 0] }),
        description: `Permit2.approve(${token}, ${spender}, 0, 0)`,
      };
  }
}
