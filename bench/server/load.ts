/**
 * A closed-loop HTTP load generator on Node's http with keep-alive: `clients` connections, each
 * sending its next request as soon as the previous answer has been read, for `durationMs`. Each
 * client has its own source address on 127.0.0.0/8 and its own headers (its token), as that many
 * users at their own machines would: the server's per-IP and per-token rate limits apply to each
 * alone, as in production, and a 429 is counted, never hidden.
 */
import { Agent, request } from 'node:http';

export type LoadResult = {
  requests: number;
  /** Answers by status (200, 429, …); a socket error counts under 0. */
  statuses: Map<number, number>;
  latenciesMs: number[];
  seconds: number;
  bytes: number;
};

export type LoadClient = { localAddress: string; headers: Record<string, string> };

/** One GET on a kept-alive socket; resolves with the status and the body's size once it is read. */
function get(agent: Agent, url: URL, client: LoadClient): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve) => {
    const req = request(
      url,
      { agent, localAddress: client.localAddress, headers: client.headers, method: 'GET' },
      (response) => {
        let bytes = 0;
        response.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, bytes }));
        response.on('error', () => resolve({ status: 0, bytes }));
      },
    );
    req.on('error', () => resolve({ status: 0, bytes: 0 }));
    req.end();
  });
}

export async function runLoad(parameters: {
  url: string;
  clients: readonly LoadClient[];
  durationMs: number;
}): Promise<LoadResult> {
  const url = new URL(parameters.url);
  const result: LoadResult = { requests: 0, statuses: new Map(), latenciesMs: [], seconds: 0, bytes: 0 };
  const agents = parameters.clients.map(() => new Agent({ keepAlive: true, maxSockets: 1 }));
  const began = performance.now();
  const deadline = began + parameters.durationMs;
  await Promise.all(
    parameters.clients.map(async (client, i) => {
      while (performance.now() < deadline) {
        const sent = performance.now();
        const { status, bytes } = await get(agents[i]!, url, client);
        result.latenciesMs.push(performance.now() - sent);
        result.statuses.set(status, (result.statuses.get(status) ?? 0) + 1);
        result.requests++;
        result.bytes += bytes;
      }
    }),
  );
  result.seconds = (performance.now() - began) / 1000;
  for (const agent of agents) agent.destroy();
  return result;
}

/** The value below which `fraction` of `values` fall (nearest rank). */
export function percentile(values: readonly number[], fraction: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

export const median = (values: readonly number[]) => percentile(values, 0.5);
