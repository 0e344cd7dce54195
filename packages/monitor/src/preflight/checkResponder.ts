import { type RpcPool, RpcResponseError } from '@bulwark/chain';
import { type Address, decodeErrorResult, decodeFunctionResult, encodeFunctionData, type Hex } from 'viem';
import { pausableAbi, pauseSelector } from '../responder/pauseCall.ts';
import { safeAbi } from '../responder/safeProposal.ts';
import { ok, type PreflightResult } from './types.ts';

type Target = { chainId: number; contract: string; name: string; where: string };

/**
 * The guardian key can pause the contract: `pause()` simulated by `eth_call` from the key's
 * address. A key that is not the contract's guardian is found here, not when the pause reverts
 * in the middle of an attack.
 */
export async function checkGuardianPause(
  pool: RpcPool,
  parameters: Target & { guardian: Address },
): Promise<PreflightResult> {
  const { contract, name, where, guardian } = parameters;
  const simulated = await simulatePause(pool, contract, guardian);
  if (simulated.status === 'ok')
    return ok('responder', where, `${name}: the guardian key ${guardian} can pause it (pause() simulated).`);
  if (simulated.status === 'paused')
    return {
      check: 'responder',
      where,
      status: 'warning',
      message: `${name} is paused already: whether the guardian key ${guardian} can pause it cannot be simulated.`,
      fix: 'Run --check again once it is unpaused.',
    };
  return {
    check: 'responder',
    where,
    status: 'error',
    message: `${name}: pause() reverts when sent from the guardian key's address ${guardian}: ${simulated.reason}. The monitor could not stop an attack on it.`,
    fix: `Make ${guardian} the contract's guardian (or pauser), or configure the key that is; set breaker.allowUnpausable to watch it without a working pause.`,
  };
}

/**
 * The Safe can pause the contract: it answers `getOwners()` and `getThreshold()` as a Safe does,
 * and `pause()` simulated from it succeeds (it is the contract's guardian or owner). A proposer
 * that is not an owner is a warning: the Transaction Service accepts delegates too.
 */
export async function checkSafePause(
  pool: RpcPool,
  parameters: Target & { safe: Address; proposer?: Address | undefined },
): Promise<PreflightResult> {
  const { contract, name, where, safe, proposer } = parameters;
  const fail = (message: string, fix: string): PreflightResult => ({
    check: 'responder',
    where,
    status: 'error',
    message,
    fix,
  });
  let owners: readonly Address[];
  let threshold: bigint;
  try {
    [owners, threshold] = await Promise.all([
      readSafe<readonly Address[]>(pool, safe, 'getOwners'),
      readSafe<bigint>(pool, safe, 'getThreshold'),
    ]);
  } catch (error) {
    if (error instanceof RpcResponseError || /decode|zero data|no data/i.test((error as Error).message))
      return fail(
        `${name}: ${safe} does not answer getOwners() and getThreshold() as a Safe does.`,
        'Give the address of the Safe that guards the contract in breaker.safe.address.',
      );
    return fail(
      `${name}: cannot read the Safe ${safe}: ${(error as { shortMessage?: string }).shortMessage ?? (error as Error).message}`,
      'Check the chain’s endpoints.',
    );
  }
  const simulated = await simulatePause(pool, contract, safe);
  if (simulated.status === 'reverts')
    return fail(
      `${name}: pause() reverts when sent from the Safe ${safe}: ${simulated.reason}. The Safe's owners could not pause it.`,
      `Make the Safe ${safe} the contract's guardian (or owner), or give the Safe that is; set breaker.allowUnpausable to watch it without a working pause.`,
    );
  const quorum = `${threshold} of ${owners.length} owner(s)`;
  if (proposer && !owners.some((owner) => owner.toLowerCase() === proposer.toLowerCase()))
    return {
      check: 'responder',
      where,
      status: 'warning',
      message: `${name}: the proposer key ${proposer} is not an owner of the Safe ${safe} (${quorum}); the Transaction Service takes its proposal only if it is a delegate.`,
      fix: 'Use an owner’s key in breaker.safe.proposerKeyEnv, or register it as a delegate.',
    };
  return ok(
    'responder',
    where,
    simulated.status === 'paused'
      ? `${name} is paused already; the Safe ${safe} (${quorum}) answers as a Safe.`
      : `${name}: the Safe ${safe} (${quorum}) can pause it (pause() simulated).`,
  );
}

type Simulation = { status: 'ok' } | { status: 'paused' } | { status: 'reverts'; reason: string };

async function simulatePause(pool: RpcPool, contract: string, from: Address): Promise<Simulation> {
  try {
    await pool.request('eth_call', [{ from, to: contract, data: pauseSelector }, 'latest']);
    return { status: 'ok' };
  } catch (error) {
    if (!(error instanceof RpcResponseError)) throw error;
    const reason = decodeRevert(error.data) ?? error.shortMessage;
    // A pause that fails only because the contract is paused says nothing about the key.
    if (/EnforcedPause|paused/i.test(reason) && (await isPaused(pool, contract))) return { status: 'paused' };
    return { status: 'reverts', reason };
  }
}

function decodeRevert(data: unknown): string | undefined {
  const hex = typeof data === 'string' ? data : (data as { data?: unknown } | undefined)?.data;
  if (typeof hex !== 'string' || !hex.startsWith('0x')) return undefined;
  if (hex === '0x') return 'reverted without a reason (has the contract a pause() function?)';
  try {
    const decoded = decodeErrorResult({ abi: pausableAbi, data: hex as Hex });
    return `${decoded.errorName}(${(decoded.args ?? []).map(String).join(', ')})`;
  } catch {
    return `reverted with ${hex.slice(0, 10)}`;
  }
}

async function isPaused(pool: RpcPool, contract: string): Promise<boolean> {
  try {
    const data = encodeFunctionData({ abi: pausableAbi, functionName: 'paused' });
    const result = await pool.request<Hex>('eth_call', [{ to: contract, data }, 'latest']);
    return decodeFunctionResult({ abi: pausableAbi, functionName: 'paused', data: result }) === true;
  } catch {
    return false;
  }
}

async function readSafe<T>(pool: RpcPool, safe: Address, functionName: 'getOwners' | 'getThreshold'): Promise<T> {
  const result = await pool.request<Hex>('eth_call', [
    { to: safe, data: encodeFunctionData({ abi: safeAbi, functionName }) },
    'latest',
  ]);
  return decodeFunctionResult({ abi: safeAbi, functionName, data: result }) as T;
}
