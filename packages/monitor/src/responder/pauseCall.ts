import {
  type Address,
  type Client,
  ContractFunctionRevertedError,
  type Hex,
  parseAbi,
  type TransactionSerializableEIP1559,
  BaseError as ViemBaseError,
} from 'viem';
import type { LocalAccount } from 'viem/accounts';
import { readContract } from 'viem/actions';
import { ForbiddenCalldataError } from './errors.ts';

/** `pause()`: the only calldata the responder ever signs. */
export const pauseSelector = '0x8456cb59' as const;
/** `paused()`: the view the responder reads before and after a pause. */
export const pausedSelector = '0x5c975abb' as const;

/**
 * What the responder reads and decodes: `pause()`, `paused()`, and the revert reasons of
 * GuardianPausable and OpenZeppelin's Pausable/AccessControl/Ownable, so a failed simulation says why.
 */
export const pausableAbi = parseAbi([
  'function pause()',
  'function paused() view returns (bool)',
  'error NotGuardianOrAdmin(address caller)',
  'error NotAdmin(address caller)',
  'error EnforcedPause()',
  'error ExpectedPause()',
  'error OwnableUnauthorizedAccount(address account)',
  'error AccessControlUnauthorizedAccount(address account, bytes32 neededRole)',
]);

/** Whether `contract` is paused (`paused()`), at `blockNumber` or the latest block. */
export function readPaused(client: Client, contract: Address, blockNumber?: bigint): Promise<boolean> {
  return readContract(client, { address: contract, abi: pausableAbi, functionName: 'paused', blockNumber });
}

/**
 * Throws unless `data` is exactly `pause()`. Called on every transaction the responder signs,
 * directly or through a Safe: a bug or a hostile config can never make it unpause or do anything else.
 */
export function assertPauseCalldata(
  data: Hex | undefined,
  where = 'The responder',
): asserts data is typeof pauseSelector {
  if (data?.toLowerCase() !== pauseSelector) {
    const selector = data ? data.slice(0, 10) : '(none)';
    throw new ForbiddenCalldataError(
      `${where} refused to sign calldata with selector ${selector}: it only ever sends pause() (${pauseSelector}).`,
      { metaMessages: ['Unpausing and every other call are for the admin, by hand, after review.'] },
    );
  }
}

export type PauseTransaction = {
  chainId: number;
  to: Address;
  nonce: number;
  gas: bigint;
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
};

/** The EIP-1559 transaction calling `pause()` on `to`; value 0, no access list. */
export function pauseTransaction(parameters: PauseTransaction): TransactionSerializableEIP1559 {
  return {
    type: 'eip1559',
    chainId: parameters.chainId,
    to: parameters.to,
    data: pauseSelector,
    value: 0n,
    nonce: parameters.nonce,
    gas: parameters.gas,
    maxFeePerGas: parameters.maxFeePerGas,
    maxPriorityFeePerGas: parameters.maxPriorityFeePerGas,
  };
}

/** Signs a pause transaction locally, after checking it is one: `pause()`, no value, EIP-1559. */
export async function signPauseTransaction(
  account: LocalAccount,
  transaction: TransactionSerializableEIP1559,
): Promise<Hex> {
  assertPauseCalldata(transaction.data);
  if (transaction.value !== undefined && transaction.value !== 0n) {
    throw new ForbiddenCalldataError('The responder refused to sign a pause transaction that sends value.');
  }
  if (!transaction.to) throw new ForbiddenCalldataError('The responder refused to sign a contract creation.');
  return account.signTransaction({ ...transaction, type: 'eip1559' });
}

/** The decoded revert of a failed `eth_call`, or `undefined` when the failure was not a revert. */
export function revertReason(error: unknown): string | undefined {
  if (!(error instanceof ViemBaseError)) return undefined;
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
  if (reverted instanceof ContractFunctionRevertedError) {
    if (reverted.data) {
      const args = (reverted.data.args ?? []).map((arg) => String(arg)).join(', ');
      return `${reverted.data.errorName}(${args})`;
    }
    if (reverted.reason) return reverted.reason;
    if (reverted.signature) return `unknown error ${reverted.signature}`;
    return 'execution reverted';
  }
  const text = `${error.details ?? ''} ${error.shortMessage}`;
  return /execution reverted|revert/i.test(text) ? 'execution reverted' : undefined;
}
