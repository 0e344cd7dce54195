import {
  type CallFrame,
  normalizeCallFrame,
  type RpcCallFrame,
  type RpcPool,
  safeTransactionArgs,
} from '@bulwark/chain';
import { InputError } from '@bulwark/core';
import {
  type Address,
  concat,
  createPublicClient,
  custom,
  encodeFunctionData,
  getAddress,
  type Hex,
  pad,
  parseAbi,
  slice,
} from 'viem';
import { proposeSafeTransaction, type SafeProposal } from '../safe/proposeSafeTransaction.ts';
import {
  approvalForAllTopic,
  approvalTopic,
  permit2ApprovalTopic,
  transferSingleTopic,
  transferTopic,
  unlimitedAmount,
} from '../tokens.ts';
import type { PreviewRequest } from './request.ts';
import { controlEvents, controlFunctions, type FlagId, proxySlots } from './signatures.ts';

/*
 * See what is signed: the transaction is run on the chain (`debug_traceCall` with the call tracer
 * and its logs, then the prestate tracer in diff mode for storage), never sent. From the trace:
 * asset changes per account (native value of every successful frame; ERC-20, ERC-721 and
 * ERC-1155 transfer events), approvals, and flags for what changes control (a delegatecall, a Safe
 * owner/threshold/module/guard/fallback-handler change, a proxy implementation or admin change,
 * read from selectors, events and the EIP-1967 slots before and after). A Safe transaction also
 * gets its SafeTx hash, computed here and checked against the Safe.
 */

export type PreviewSeverity = 'critical' | 'high' | 'medium' | 'low' | 'info';

export type PreviewFlag = { id: FlagId; severity: PreviewSeverity; message: string; address: Address | undefined };

export type AssetChange = {
  /** `native` or the token contract. */
  asset: 'native' | Address;
  standard: 'native' | 'erc20' | 'erc721' | 'erc1155';
  /** Net change in base units (wei, token units; for NFTs the count), as a decimal string. */
  delta: string;
  /** NFTs received and sent (ids as decimal strings). */
  tokenIds?: { in: string[]; out: string[] } | undefined;
};

export type ApprovalChange = {
  standard: 'erc20' | 'erc721' | 'erc721-all' | 'permit2';
  token: Address;
  owner: Address;
  spender: Address;
  /** Amount (ERC-20, Permit2), token id (ERC-721), or `true`/`false` (approval for all). */
  amount: string;
  unlimited: boolean;
};

export type StorageChange = { address: Address; slot: string; before: Hex; after: Hex };

export type TransactionPreview = {
  chainId: number;
  /** Who executes: `from`, or the Safe for a Safe transaction. */
  account: Address;
  from: Address;
  to: Address;
  value: string;
  operation: 0 | 1;
  status: 'success' | 'reverted' | 'unknown';
  revertReason: string | undefined;
  safe:
    | { address: Address; version: string; nonce: string; safeTxHash: Hex; threshold: number; owners: Address[] }
    | undefined;
  /** Per account; the executing account first. */
  assetChanges: { account: Address; changes: AssetChange[] }[];
  approvals: ApprovalChange[];
  proxyChanges: StorageChange[];
  flags: PreviewFlag[];
};

const severityOf: Record<FlagId, PreviewSeverity> = {
  delegatecall: 'critical',
  'safe-owner-change': 'critical',
  'safe-threshold-change': 'critical',
  'safe-module-change': 'critical',
  'safe-guard-change': 'critical',
  'safe-fallback-handler-change': 'critical',
  'safe-singleton-change': 'critical',
  'proxy-implementation-change': 'critical',
  'proxy-admin-change': 'critical',
  'approval-for-all': 'high',
  'unlimited-approval': 'high',
  approval: 'medium',
  reverts: 'high',
  'simulation-failed': 'high',
};

export type PreviewTransactionParameters = { pool: RpcPool; request: PreviewRequest };

export async function previewTransaction(parameters: PreviewTransactionParameters): Promise<TransactionPreview> {
  const { pool, request } = parameters;
  const chainId = Number(BigInt(await pool.request<Hex>('eth_chainId')));
  if (chainId !== request.chainId)
    throw new InputError(`The request is for chain ${request.chainId}, but the RPC endpoint serves chain ${chainId}.`, {
      docsPath: 'wallet/signers.md#preview',
      metaMessages: ['Give an endpoint of the request’s chain.'],
    });

  const flags = new Map<string, PreviewFlag>();
  const flag = (id: FlagId, message: string, address?: Address) => {
    const key = `${id}:${address ?? ''}:${message}`;
    if (!flags.has(key)) flags.set(key, { id, severity: severityOf[id], message, address });
  };

  let proposal: SafeProposal | undefined;
  if (request.safe) {
    const client = createPublicClient({
      transport: custom({ request: ({ method, params }) => pool.request(method, params ?? []) }),
    });
    proposal = await proposeSafeTransaction(client, {
      safe: request.safe,
      intent: { to: request.to, value: request.value, data: request.data, operation: request.operation },
    });
  }
  const account = request.safe ?? request.from;
  if (request.operation === 1)
    flag(
      'delegatecall',
      `The Safe delegatecalls ${request.to}: its code runs with the Safe's storage and funds.`,
      request.to,
    );

  // A Safe transaction is simulated as what it is: `execTransaction` sent by an owner, so the
  // Safe's own code runs (guard, call or delegatecall, refunds). The owner signs with the Safe's
  // approved-hash form (v = 1: accepted when the sender is that owner), and the threshold is 1
  // for this call only (a state override of its storage slot 4), so no key is needed.
  let call: { from: Address; to: Address; value: Hex; data: Hex };
  let overrides: Record<string, unknown> | undefined;
  let singleton: Address | undefined;
  if (proposal) {
    const executor = proposal.owners.find((owner) => owner === getAddress(request.from)) ?? proposal.owners[0]!;
    const [to, value, data, operation, safeTxGas, baseGas, gasPrice, gasToken, refundReceiver] = safeTransactionArgs(
      proposal.transaction,
    );
    const approvedHash = concat([pad(executor, { size: 32 }), pad('0x00', { size: 32 }), '0x01']);
    call = {
      from: executor,
      to: proposal.safe,
      value: '0x0',
      data: encodeFunctionData({
        abi: execTransactionAbi,
        functionName: 'execTransaction',
        args: [to, value, data, operation, safeTxGas, baseGas, gasPrice, gasToken, refundReceiver, approvedHash],
      }),
    };
    overrides = { [proposal.safe]: { stateDiff: { [safeThresholdSlot]: pad('0x01', { size: 32 }) } } };
    singleton = getAddress(
      `0x${(await pool.request<Hex>('eth_getStorageAt', [proposal.safe, '0x0', 'latest'])).slice(-40)}`,
    );
  } else {
    call = { from: account, to: request.to, value: `0x${request.value.toString(16)}`, data: request.data };
  }
  const traceConfig = (tracer: string, tracerConfig: Record<string, unknown>) => ({
    tracer,
    tracerConfig,
    ...(overrides ? { stateOverrides: overrides } : {}),
  });

  let frame: CallFrame | undefined;
  let status: TransactionPreview['status'] = 'unknown';
  let revertReason: string | undefined;
  try {
    frame = normalizeCallFrame(
      await pool.request<RpcCallFrame>('debug_traceCall', [
        call,
        'latest',
        traceConfig('callTracer', { withLog: true }),
      ]),
    );
    // For a Safe, the Safe's call to the target decides (with gas fields set, execTransaction
    // succeeds even when that call fails).
    const execution = proposal
      ? findFrame(frame, (node) => node.from === account.toLowerCase() && node.to === request.to.toLowerCase())
      : frame;
    const failed = execution?.error ? execution : frame.error ? frame : undefined;
    status = failed ? 'reverted' : 'success';
    revertReason = failed ? (failed.revertReason ?? failed.error) : undefined;
    if (failed) flag('reverts', `The transaction reverts: ${revertReason}. Nothing would move, but gas is spent.`);
  } catch (error) {
    flag(
      'simulation-failed',
      `The node could not simulate it (${(error as Error).message.split('\n')[0]}); the changes below are incomplete.`,
    );
  }

  const deltas = new Map<string, Map<string, { change: AssetChange; amount: bigint }>>();
  const move = (
    account: Address,
    asset: 'native' | Address,
    standard: AssetChange['standard'],
    amount: bigint,
    tokenId?: { id: string; dir: 'in' | 'out' },
  ) => {
    const key = getAddress(account);
    const byAsset = deltas.get(key) ?? new Map();
    deltas.set(key, byAsset);
    const entry = byAsset.get(`${standard}:${asset}`) ?? {
      change: {
        asset: asset === 'native' ? 'native' : getAddress(asset),
        standard,
        delta: '0',
        tokenIds: standard === 'erc721' || standard === 'erc1155' ? { in: [], out: [] } : undefined,
      },
      amount: 0n,
    };
    entry.amount += amount;
    if (tokenId) entry.change.tokenIds?.[tokenId.dir].push(tokenId.id);
    byAsset.set(`${standard}:${asset}`, entry);
  };
  const approvals: ApprovalChange[] = [];
  const word = (data: Hex, index: number) => BigInt(slice(data, index * 32, index * 32 + 32));
  const topicAddress = (topic: Hex | undefined) => getAddress(`0x${(topic ?? '').slice(-40)}`);

  const walk = (node: CallFrame) => {
    if (node.error) return; // a reverted frame moved nothing and its logs are discarded
    const selector = node.input.length >= 10 ? (node.input.slice(0, 10).toLowerCase() as Hex) : undefined;
    const control = selector && controlFunctions[selector];
    if (control && node.to && node.type !== 'STATICCALL')
      flag(control.flag, `Calls ${control.signature} on ${getAddress(node.to)}.`, getAddress(node.to));
    // The Safe proxy delegatecalls its singleton on every call: that one is not news.
    if (
      node.type === 'DELEGATECALL' &&
      node.to &&
      getAddress(node.from) === getAddress(account) &&
      getAddress(node.to) !== singleton &&
      !(request.operation === 1 && getAddress(node.to) === request.to)
    )
      flag('delegatecall', `The account delegatecalls ${node.to}.`, node.to && getAddress(node.to));
    if (node.value > 0n && node.to && node.type !== 'DELEGATECALL' && node.type !== 'STATICCALL') {
      move(node.from, 'native', 'native', -node.value);
      move(node.to, 'native', 'native', node.value);
    }
    for (const log of node.logs ?? []) {
      const [topic0, t1, t2, t3] = log.topics;
      const event = topic0 && controlEvents[topic0];
      if (event) flag(event.flag, `Emits ${event.signature} from ${getAddress(log.address)}.`, getAddress(log.address));
      if (topic0 === transferTopic && log.topics.length === 3 && log.data.length === 66) {
        const amount = word(log.data, 0);
        move(topicAddress(t1), log.address, 'erc20', -amount);
        move(topicAddress(t2), log.address, 'erc20', amount);
      } else if (topic0 === transferTopic && log.topics.length === 4) {
        const id = BigInt(t3!).toString();
        move(topicAddress(t1), log.address, 'erc721', -1n, { id, dir: 'out' });
        move(topicAddress(t2), log.address, 'erc721', 1n, { id, dir: 'in' });
      } else if (topic0 === transferSingleTopic && log.topics.length === 4 && log.data.length === 130) {
        const id = word(log.data, 0).toString();
        const amount = word(log.data, 1);
        move(topicAddress(t2), log.address, 'erc1155', -amount, { id, dir: 'out' });
        move(topicAddress(t3), log.address, 'erc1155', amount, { id, dir: 'in' });
      } else if (topic0 === approvalTopic && (log.topics.length === 3 || log.topics.length === 4)) {
        const erc20 = log.topics.length === 3;
        const amount = erc20 ? word(log.data, 0) : BigInt(t3!);
        const unlimited = erc20 && amount >= unlimitedAmount;
        approvals.push({
          standard: erc20 ? 'erc20' : 'erc721',
          token: getAddress(log.address),
          owner: topicAddress(t1),
          spender: topicAddress(t2),
          amount: amount.toString(),
          unlimited,
        });
        if (amount > 0n || !erc20)
          flag(
            unlimited ? 'unlimited-approval' : 'approval',
            `${topicAddress(t1)} lets ${topicAddress(t2)} spend ${unlimited ? 'an unlimited amount' : erc20 ? amount.toString() : `token ${amount}`} of ${getAddress(log.address)}.`,
            getAddress(log.address),
          );
      } else if (topic0 === approvalForAllTopic && log.topics.length === 3) {
        const approved = word(log.data, 0) !== 0n;
        approvals.push({
          standard: 'erc721-all',
          token: getAddress(log.address),
          owner: topicAddress(t1),
          spender: topicAddress(t2),
          amount: String(approved),
          unlimited: approved,
        });
        if (approved)
          flag(
            'approval-for-all',
            `${topicAddress(t1)} lets ${topicAddress(t2)} move all its tokens of ${getAddress(log.address)}.`,
            getAddress(log.address),
          );
      } else if (topic0 === permit2ApprovalTopic && log.topics.length === 4) {
        const amount = word(log.data, 0);
        const unlimited = amount >= 2n ** 159n;
        approvals.push({
          standard: 'permit2',
          token: topicAddress(t2),
          owner: topicAddress(t1),
          spender: topicAddress(t3),
          amount: amount.toString(),
          unlimited,
        });
        flag(
          unlimited ? 'unlimited-approval' : 'approval',
          `Permit2: ${topicAddress(t1)} lets ${topicAddress(t3)} spend ${unlimited ? 'an unlimited amount' : amount.toString()} of ${topicAddress(t2)}.`,
          getAddress(log.address),
        );
      }
    }
    for (const child of node.calls) walk(child);
  };
  if (frame) walk(frame);

  // EIP-1967 slots before and after, from the prestate tracer's diff (only changed slots appear in `post`).
  const proxyChanges: StorageChange[] = [];
  if (frame && !frame.error) {
    try {
      const diff = await pool.request<{
        pre?: Record<string, { storage?: Record<Hex, Hex> }>;
        post?: Record<string, { storage?: Record<Hex, Hex> }>;
      }>('debug_traceCall', [call, 'latest', traceConfig('prestateTracer', { diffMode: true })]);
      for (const [address, state] of Object.entries(diff.post ?? {})) {
        for (const [slot, after] of Object.entries(state.storage ?? {})) {
          const before = diff.pre?.[address]?.storage?.[slot as Hex] ?? (`0x${'0'.repeat(64)}` as Hex);
          if (proposal && getAddress(address) === proposal.safe && BigInt(slot) === 0n)
            flag(
              'safe-singleton-change',
              `The Safe's singleton (slot 0) changes from ${slotAddress(before)} to ${slotAddress(after)}: the Safe would run other code.`,
              proposal.safe,
            );
          const known = proxySlots[slot.toLowerCase() as Hex];
          if (!known) continue;
          proxyChanges.push({ address: getAddress(address), slot: known.name, before, after });
          flag(
            known.flag,
            `The EIP-1967 ${known.name} slot of ${getAddress(address)} changes from ${slotAddress(before)} to ${slotAddress(after)}.`,
            getAddress(address),
          );
        }
      }
    } catch (error) {
      flag(
        'simulation-failed',
        `The node could not report storage changes (${(error as Error).message.split('\n')[0]}); proxy slots were not checked.`,
      );
    }
  }

  const executing = getAddress(account);
  const assetChanges = [...deltas.entries()]
    .map(([holder, byAsset]) => ({
      account: holder as Address,
      changes: [...byAsset.values()]
        .filter(
          ({ amount, change }) =>
            amount !== 0n || (change.tokenIds && change.tokenIds.in.length + change.tokenIds.out.length > 0),
        )
        .map(({ change, amount }) => ({ ...change, delta: amount.toString() })),
    }))
    .filter((entry) => entry.changes.length > 0)
    .sort((a, b) => (a.account === executing ? -1 : b.account === executing ? 1 : 0));
  const order: PreviewSeverity[] = ['critical', 'high', 'medium', 'low', 'info'];
  return {
    chainId,
    account: executing,
    from: request.from,
    to: request.to,
    value: request.value.toString(),
    operation: request.operation,
    status,
    revertReason,
    safe: proposal && {
      address: proposal.safe,
      version: proposal.version,
      nonce: proposal.transaction.nonce.toString(),
      safeTxHash: proposal.safeTxHash,
      threshold: proposal.threshold,
      owners: proposal.owners,
    },
    assetChanges,
    approvals,
    proxyChanges,
    flags: [...flags.values()].sort((a, b) => order.indexOf(a.severity) - order.indexOf(b.severity)),
  };
}

const execTransactionAbi = parseAbi([
  'function execTransaction(address to, uint256 value, bytes data, uint8 operation, uint256 safeTxGas, uint256 baseGas, uint256 gasPrice, address gasToken, address refundReceiver, bytes signatures) payable returns (bool)',
]);

/** `threshold` in the storage of every Safe version (Singleton, ModuleManager, then OwnerManager's owners, ownerCount, threshold). */
const safeThresholdSlot = pad('0x04', { size: 32 });

function findFrame(node: CallFrame, matches: (node: CallFrame) => boolean): CallFrame | undefined {
  if (matches(node)) return node;
  for (const child of node.calls) {
    const found = findFrame(child, matches);
    if (found) return found;
  }
  return undefined;
}

function slotAddress(value: Hex): string {
  return BigInt(value) === 0n ? 'none' : getAddress(`0x${value.slice(-40)}`);
}
