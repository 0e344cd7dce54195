import { ApiError, type ApiResponse } from '../errors.ts';
import type { ServedMonitor } from '../live/monitorBridge.ts';
import type { ApiRoute } from '../routes.ts';

type Schema = Record<string, unknown>;
const object = (properties: Schema, required = Object.keys(properties)): Schema => ({
  type: 'object',
  additionalProperties: false,
  required,
  properties,
});
const list = (items: Schema): Schema => ({ type: 'array', items });
const nullable = (type: string): Schema => ({ type: [type, 'null'] });

const chainSchema = object({
  chainId: { type: 'integer' },
  state: { type: 'string', enum: ['starting', 'following', 'down', 'catching-up', 'stopped'] },
  head: { ...nullable('string'), description: 'Block number (decimal), when last asked' },
  lastBlock: { ...nullable('string'), description: 'The last block evaluated (decimal)' },
  lag: { ...nullable('integer'), description: 'Blocks behind the head' },
  endpoints: list(
    object({
      url: { type: 'string', description: 'The endpoint named by its host; a key is never shown' },
      up: { type: 'boolean' },
    }),
  ),
});
const contractSchema = object({
  chainId: { type: 'integer' },
  address: { type: 'string' },
  name: { type: 'string' },
  warmingUp: { type: 'boolean' },
  paused: { type: 'boolean' },
  pausedFrom: {
    type: 'string',
    enum: ['chain', 'responder'],
    description:
      "`chain`: the contract's paused() read now (an admin's unpause shows); `responder`: paused() could not be read, so the last pause the monitor verified",
  },
});
const series = list(
  object({ t: { type: 'string', format: 'date-time' }, baseline: { type: 'number' }, recent: { type: 'number' } }),
);
const baselineSchema = object({ calls: series, outflow: series, valueLocked: series });
const rulesSchema = object({
  chainId: { type: 'integer' },
  address: { type: 'string' },
  name: { type: 'string' },
  rules: list(
    object({
      id: { type: 'string' },
      enabled: { type: 'boolean' },
      parameters: { type: 'object', additionalProperties: { type: 'number' } },
    }),
  ),
});
const baselineParams = object({
  chainId: { type: 'integer', minimum: 1, maximum: 2 ** 53 - 1 },
  address: { type: 'string', pattern: '^0x[0-9a-fA-F]{40}$' },
});

const ok = (body: unknown): ApiResponse => ({ status: 200, body });

/**
 * `/api/v1/monitor/*`: the monitor running in this server (`bulwark serve --config`). Without one
 * they answer 404 `monitor-not-running`: nothing failed, there is no such monitor here (one in
 * another process is seen through the store: alerts, incidents, `/events`).
 */
export function monitorRoutes(monitor: ServedMonitor | undefined): ApiRoute[] {
  const running = () => {
    if (!monitor)
      throw new ApiError(
        404,
        'monitor-not-running',
        'The monitor does not run in this server: start it with `bulwark serve --config FILE`.',
      );
    return monitor;
  };
  return [
    {
      method: 'GET',
      url: '/api/v1/monitor/status',
      operationId: 'monitorStatus',
      summary: "Each chain the monitor follows: state, head, last block evaluated, lag and endpoints' health",
      role: 'viewer',
      schema: { response: { 200: list(chainSchema) } },
      handler: async () => ok(running().status()),
    },
    {
      method: 'GET',
      url: '/api/v1/monitor/contracts',
      operationId: 'monitorContracts',
      summary:
        'The watched contracts: whether each baseline is still warming up, and whether each is paused (its paused() read now)',
      role: 'viewer',
      schema: { response: { 200: list(contractSchema) } },
      handler: async () => ok(await running().contracts()),
    },
    {
      method: 'GET',
      url: '/api/v1/monitor/contracts/:chainId/:address/baseline',
      operationId: 'monitorBaseline',
      summary: 'Learned baseline against recent activity, per block: calls, outflow and value locked (charted asset)',
      role: 'viewer',
      schema: { params: baselineParams, response: { 200: baselineSchema } },
      handler: async ({ params }) => {
        const found = await running().baseline(Number(params.chainId), params.address!);
        if (!found)
          throw new ApiError(
            404,
            'not-found',
            `The monitor does not watch ${params.address} on chain ${params.chainId}.`,
          );
        return ok(found);
      },
    },
    {
      method: 'GET',
      url: '/api/v1/monitor/rules',
      operationId: 'monitorRules',
      summary: "Each watched contract's rules: enabled, and their parameters in force (contract, config, default)",
      role: 'viewer',
      schema: { response: { 200: list(rulesSchema) } },
      handler: async () => ok(running().rules()),
    },
  ];
}
