import { type RpcPool, RpcResponseError } from '@bulwark/chain';
import { type Chain, type Client, createClient, custom, type Transport } from 'viem';

/**
 * A viem client whose every request goes through the chain's RPC pool (failover, circuits,
 * redacted errors). A node's JSON-RPC error is passed on with its code and data, so viem still
 * decodes reverts.
 */
export function poolClient(pool: RpcPool): Client<Transport, Chain | undefined> {
  const transport = custom(
    {
      async request({ method, params }: { method: string; params?: unknown }) {
        try {
          return await pool.request(method, (params as unknown[] | undefined) ?? []);
        } catch (error) {
          if (error instanceof RpcResponseError) {
            throw Object.assign(new Error(error.shortMessage), { code: error.code, data: error.data });
          }
          throw error;
        }
      },
    },
    { retryCount: 0 },
  );
  return createClient({ transport, cacheTime: 0 });
}
