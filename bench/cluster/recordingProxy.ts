/**
 * A JSON-RPC proxy in front of the node that notes, on the bench's clock, when each block first
 * reached a monitor (the first `eth_getBlockByNumber("latest")` answer carrying it: the polling
 * sync's view of a new head) and when each raw transaction reached the node (its `to` decoded).
 * Monitors in one process or many talk to the node through it, so both are measured at the same
 * place.
 */
import { createServer, type Server } from 'node:http';
import { type Address, type Hex, parseTransaction } from 'viem';

type RpcRequest = { id?: unknown; method?: string; params?: unknown[] };
type RpcResponse = { id?: unknown; result?: unknown };

export type RecordingProxy = {
  url: string;
  /** When block `number` was first handed to a client as the head (performance.now()). */
  headSeenAt: Map<bigint, number>;
  /** Each raw transaction sent through the proxy, in order. */
  sent: { to: Address | undefined; at: number }[];
  /** Requests passed on, by JSON-RPC method (where a monitor's RPC load goes). */
  calls: Map<string, number>;
  close(): Promise<void>;
};

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const headSeenAt = new Map<bigint, number>();
  const sent: RecordingProxy['sent'] = [];
  const calls = new Map<string, number>();
  const note = (request: RpcRequest, at: number) => {
    const method = request.method ?? '?';
    calls.set(method, (calls.get(method) ?? 0) + 1);
    if (request.method !== 'eth_sendRawTransaction') return;
    const raw = request.params?.[0];
    if (typeof raw !== 'string') return;
    try {
      sent.push({ to: parseTransaction(raw as Hex).to ?? undefined, at });
    } catch {
      sent.push({ to: undefined, at });
    }
  };
  const noteResponse = (request: RpcRequest, response: RpcResponse, at: number) => {
    if (request.method !== 'eth_getBlockByNumber' || request.params?.[0] !== 'latest') return;
    const number = (response.result as { number?: string } | null)?.number;
    if (typeof number === 'string' && !headSeenAt.has(BigInt(number))) headSeenAt.set(BigInt(number), at);
  };
  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let parsed: RpcRequest | RpcRequest[] | undefined;
      try {
        parsed = JSON.parse(body) as RpcRequest | RpcRequest[];
      } catch {
        parsed = undefined;
      }
      const requests = parsed === undefined ? [] : Array.isArray(parsed) ? parsed : [parsed];
      const arrived = performance.now();
      for (const request of requests) note(request, arrived);
      try {
        const answer = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        const text = await answer.text();
        const answered = performance.now();
        try {
          const responses = JSON.parse(text) as RpcResponse | RpcResponse[];
          const list = Array.isArray(responses) ? responses : [responses];
          for (const request of requests) {
            const response = list.find((candidate) => candidate.id === request.id);
            if (response) noteResponse(request, response, answered);
          }
        } catch {
          // Not JSON: passed on as it is.
        }
        outgoing.writeHead(answer.status, { 'content-type': 'application/json' }).end(text);
      } catch (error) {
        outgoing.writeHead(502).end(String(error));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    headSeenAt,
    sent,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Block arrival → pause broadcast for the first raw transaction to each of `victims`: from the
 * first time the newest block handed out before it was seen, to its arrival. Later transactions
 * to a victim (a re-broadcast, a bump) and transactions to anything else are not counted.
 */
export function firstPauseLatencies(
  record: Pick<RecordingProxy, 'headSeenAt' | 'sent'>,
  victims: ReadonlySet<string>,
): { victim: string; block: bigint; ms: number }[] {
  const arrivals = [...record.headSeenAt].sort((a, b) => a[1] - b[1]);
  const counted = new Set<string>();
  const latencies: { victim: string; block: bigint; ms: number }[] = [];
  for (const sent of record.sent) {
    const victim = sent.to?.toLowerCase();
    if (!victim || !victims.has(victim) || counted.has(victim)) continue;
    counted.add(victim);
    const arrival = arrivals.filter(([, at]) => at <= sent.at).at(-1);
    if (arrival) latencies.push({ victim, block: arrival[0], ms: sent.at - arrival[1] });
  }
  return latencies;
}
