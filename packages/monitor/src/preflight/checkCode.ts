import type { RpcPool } from '@bulwark/chain';
import type { Hex } from 'viem';
import { ok, type PreflightResult } from './types.ts';

/** The watched address holds code on the chain (not an account, nor a contract on another network). */
export async function checkCode(
  pool: RpcPool,
  parameters: { chainId: number; address: string; name: string; where: string },
): Promise<PreflightResult> {
  const { chainId, address, name, where } = parameters;
  let code: Hex;
  try {
    code = await pool.request<Hex>('eth_getCode', [address, 'latest']);
  } catch (error) {
    return {
      check: 'code',
      where,
      status: 'error',
      message: `Cannot read the code of ${name} (${address}): ${(error as { shortMessage?: string }).shortMessage ?? (error as Error).message}`,
      fix: 'Check the chain’s endpoints.',
    };
  }
  if (code === '0x' || code === '0x0') {
    return {
      check: 'code',
      where,
      status: 'error',
      message: `${name} (${address}) has no code on chain ${chainId}: nothing would ever be seen there.`,
      fix: 'Check the address and the chain (deployed on another network, or not yet?).',
    };
  }
  return ok('code', where, `${name} (${address}) has ${(code.length - 2) / 2} bytes of code on chain ${chainId}.`);
}
