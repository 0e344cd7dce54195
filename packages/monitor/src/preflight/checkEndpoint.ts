import { connectWsRpc, createRpcPool, endpointName, type RpcEndpointConfig } from '@bulwark/chain';
import type { PreflightResult } from './types.ts';

export type EndpointCheck = PreflightResult & {
  /** The endpoint's name as logs show it (URL keys replaced by `***`). */
  endpoint: string;
  /** It answered and serves the configured chain. */
  usable: boolean;
};

/**
 * Reaches one endpoint (`eth_chainId`, no retry) and checks it serves `chainId`. The result names
 * it by its redacted name: a key in the URL never reaches the report.
 */
export async function checkEndpoint(
  entry: string | RpcEndpointConfig,
  parameters: { chainId: number; where: string; timeoutMs?: number | undefined },
): Promise<EndpointCheck> {
  const { chainId, where } = parameters;
  const pool = createRpcPool({ endpoints: [entry], retryCount: 0, timeoutMs: parameters.timeoutMs ?? 5_000 });
  const endpoint = pool.endpointNames[0]!;
  let served: string;
  try {
    served = await pool.request<string>('eth_chainId', [], {
      validate: (value) =>
        typeof value === 'string' && /^0x[0-9a-fA-F]+$/.test(value) ? undefined : 'not a chain id.',
    });
  } catch (error) {
    const reason = ((error as { errors?: Error[] }).errors?.at(-1) ?? (error as Error)) as Error & {
      shortMessage?: string;
    };
    return {
      check: 'endpoint',
      where,
      status: 'error',
      endpoint,
      usable: false,
      message: `RPC endpoint ${endpoint} does not answer: ${reason.shortMessage ?? reason.message}`,
      fix: 'Check the URL, its key and that the node is up; or remove the endpoint from the list.',
    };
  }
  if (Number(served) !== chainId) {
    return {
      check: 'chain-id',
      where,
      status: 'error',
      endpoint,
      usable: false,
      message: `RPC endpoint ${endpoint} serves chain ${Number(served)}, not chain ${chainId}.`,
      fix: `Give an endpoint of chain ${chainId} here, or set the chain's \`id\` to ${Number(served)} if that is the chain meant.`,
    };
  }
  return {
    check: 'endpoint',
    where,
    status: 'ok',
    endpoint,
    usable: true,
    message: `RPC endpoint ${endpoint} answers, chain ${chainId}.`,
  };
}

/**
 * Reaches an endpoint's WebSocket (`eth_chainId` over it) and checks the chain. Unreachable is a
 * warning: heads then come by HTTP polling, later than by subscription.
 */
export async function checkWebSocket(
  url: string,
  parameters: { chainId: number; where: string; timeoutMs?: number | undefined },
): Promise<PreflightResult> {
  const { chainId, where } = parameters;
  const name = endpointName(url);
  let served: string;
  try {
    const client = await connectWsRpc(url, { name, timeoutMs: parameters.timeoutMs ?? 5_000 });
    try {
      served = await client.request<string>('eth_chainId');
    } finally {
      await client.close();
    }
  } catch (error) {
    return {
      check: 'endpoint',
      where,
      status: 'warning',
      message: `WebSocket ${name} does not answer: ${(error as { shortMessage?: string }).shortMessage ?? (error as Error).message} Heads will come by polling, later.`,
      fix: 'Check the ws URL and its key, or remove `ws` from this endpoint.',
    };
  }
  if (Number(served) !== chainId)
    return {
      check: 'chain-id',
      where,
      status: 'error',
      message: `WebSocket ${name} serves chain ${Number(served)}, not chain ${chainId}.`,
      fix: `Give a WebSocket of chain ${chainId} here.`,
    };
  return { check: 'endpoint', where, status: 'ok', message: `WebSocket ${name} answers, chain ${chainId}.` };
}
