import { type BlockRef, createRpcPool, type RpcEndpointConfig, type RpcPool } from '@bulwark/chain';
import type { Hex } from 'viem';

/*
 * The ingest leader's check of its chain's endpoints against each other, before a block is
 * published: one endpoint may lag (its head stuck) or lie (another hash for a height, a forked
 * view) while another is honest. The sync alone follows its preferred endpoint and would publish
 * what it serves; the referee compares every endpoint with the others and with the stream (the
 * hashes already published), demotes the one out of line, and the leader follows the rest.
 * With one endpoint there is nothing to compare: every verdict is `publish`.
 */

export type EndpointState = {
  name: string;
  /** Null while the sync follows it; else why it is left out. */
  demoted: { reason: 'stale' | 'wrong'; detail: string; since: number } | null;
  /** Its head when last asked, or null when it did not answer. */
  head: string | null;
};

/** What to do with the block (or reorg) the sync handed over. */
export type Verdict =
  /** Every other endpoint that has the block agrees (or there is no other). */
  | 'publish'
  /** Endpoints still disagree about it: ask again after a polling interval. */
  | 'hold'
  /** The sync's block came from an endpoint now demoted: follow the others from the stream tip. */
  | 'refollow';

export type EndpointReferee = {
  /** The endpoints the sync follows: every endpoint not demoted, in the configured order. */
  active(): (string | RpcEndpointConfig)[];
  /** Heads and the stream tip asked of every endpoint: demotes one that lags or denies the tip, reinstates one back in line. Returns whether the active set changed. */
  audit(tip: BlockRef | undefined): Promise<boolean>;
  /**
   * Checks a block the sync hands over against the other endpoints; `'reorg'` checks that the
   * stream tip a reorg drops is denied by every endpoint in line.
   */
  vet(block: BlockRef | 'reorg', tip: BlockRef | undefined): Promise<Verdict>;
  states(): EndpointState[];
};

export type CreateEndpointRefereeParameters = {
  endpoints: readonly (string | RpcEndpointConfig)[];
  /** An endpoint this many blocks behind the best head (at two audits in a row) is stale; default 3. */
  staleBlocks?: number | undefined;
  /** Checks in a row an endpoint must deny the stream tip before it is demoted (a real reorg reaches one node first); default 2. */
  strikes?: number | undefined;
  log: (level: 'info' | 'warn', line: string) => void;
  now?: (() => number) | undefined;
};

type Judged = {
  config: RpcEndpointConfig;
  pool: RpcPool;
  state: EndpointState;
  /** Whether it answered its last question: one that did not is asked only by the audits, off the block's path. */
  answering: boolean;
  staleStrikes: number;
  wrongStrikes: number;
};

export function createEndpointReferee(parameters: CreateEndpointRefereeParameters): EndpointReferee {
  const staleBlocks = BigInt(parameters.staleBlocks ?? 3);
  const strikes = parameters.strikes ?? 2;
  const now = parameters.now ?? Date.now;
  const { log } = parameters;
  // Named as the sync's pool names them (keys removed, duplicates numbered).
  const names = createRpcPool({ endpoints: parameters.endpoints }).endpointNames;
  const judged: Judged[] = parameters.endpoints.map((entry, i) => {
    const config = typeof entry === 'string' ? { http: entry } : entry;
    const named = { ...config, name: names[i]! };
    return {
      config: named,
      // One request each, no retries: a referee's question is cheap to ask again at the next check.
      pool: createRpcPool({ endpoints: [named], retryCount: 0, timeoutMs: 2_000 }),
      state: { name: names[i]!, demoted: null, head: null },
      answering: true,
      staleStrikes: 0,
      wrongStrikes: 0,
    };
  });
  const compared = judged.length > 1;

  const ask = <T>(endpoint: Judged, method: string, params: unknown[]) =>
    endpoint.pool.request<T>(method, params).then(
      (result) => {
        endpoint.answering = true;
        return result;
      },
      () => {
        endpoint.answering = false;
        return undefined;
      },
    );
  const hashAt = async (endpoint: Judged, number: bigint): Promise<Hex | null | undefined> => {
    const block = await ask<{ hash: Hex } | null>(endpoint, 'eth_getBlockByNumber', [
      `0x${number.toString(16)}`,
      false,
    ]);
    return block === undefined ? undefined : (block?.hash ?? null);
  };
  const demote = (endpoint: Judged, reason: 'stale' | 'wrong', detail: string) => {
    endpoint.state.demoted = { reason, detail, since: now() };
    endpoint.staleStrikes = 0;
    endpoint.wrongStrikes = 0;
    log('warn', `RPC endpoint ${endpoint.state.name} demoted (${reason}): ${detail}; following the other endpoint(s).`);
  };
  const reinstate = (endpoint: Judged, why: string) => {
    const was = endpoint.state.demoted!;
    endpoint.state.demoted = null;
    log(
      'info',
      `RPC endpoint ${endpoint.state.name} reinstated after ${((now() - was.since) / 1000).toFixed(1)} s: ${why}.`,
    );
  };

  /**
   * Who says what about the stream tip: an endpoint naming another hash for it while another
   * endpoint confirms it is out of line (a strike; demoted after `strikes`). Returns whether the
   * active set changed.
   */
  const checkTip = async (tip: BlockRef, among: readonly Judged[] = judged): Promise<boolean> => {
    const answers = await Promise.all(among.map((endpoint) => hashAt(endpoint, tip.number)));
    const confirmed = among.some((endpoint, i) => !endpoint.state.demoted && answers[i] === tip.hash);
    let changed = false;
    among.forEach((endpoint, i) => {
      const answer = answers[i];
      if (answer === undefined || answer === null) return;
      if (answer === tip.hash) {
        endpoint.wrongStrikes = 0;
        if (endpoint.state.demoted?.reason === 'wrong') {
          reinstate(endpoint, `it serves block ${tip.number} with the stream's hash again`);
          changed = true;
        }
        return;
      }
      if (endpoint.state.demoted || !confirmed) return;
      endpoint.wrongStrikes++;
      if (endpoint.wrongStrikes >= strikes) {
        demote(
          endpoint,
          'wrong',
          `block ${tip.number} is ${short(answer)} there, ${short(tip.hash)} in the stream and on the other endpoint(s)`,
        );
        changed = true;
      }
    });
    return changed;
  };

  const checkHeads = async (): Promise<boolean> => {
    const heads = await Promise.all(
      judged.map((endpoint) => ask<Hex>(endpoint, 'eth_blockNumber', []).then((h) => (h ? BigInt(h) : undefined))),
    );
    judged.forEach((endpoint, i) => {
      endpoint.state.head = heads[i] === undefined ? null : heads[i]!.toString();
    });
    let changed = false;
    judged.forEach((endpoint, i) => {
      const head = heads[i];
      if (head === undefined) return;
      // The best head among the others that are in line.
      let best: bigint | undefined;
      judged.forEach((other, j) => {
        if (j !== i && !other.state.demoted && heads[j] !== undefined && (best === undefined || heads[j]! > best))
          best = heads[j];
      });
      if (best === undefined) return;
      const behind = best - head;
      if (behind < staleBlocks) {
        endpoint.staleStrikes = 0;
        if (endpoint.state.demoted?.reason === 'stale') {
          reinstate(endpoint, `its head ${head} is within ${staleBlocks} block(s) of the others'`);
          changed = true;
        }
        return;
      }
      if (endpoint.state.demoted) return;
      endpoint.staleStrikes++;
      if (endpoint.staleStrikes >= 2) {
        demote(endpoint, 'stale', `its head ${head} is ${behind} block(s) behind another endpoint's ${best}`);
        changed = true;
      }
    });
    return changed;
  };

  return {
    active: () => judged.filter((endpoint) => !endpoint.state.demoted).map((endpoint) => endpoint.config),
    async audit(tip) {
      if (!compared) return false;
      const heads = await checkHeads();
      const tips = tip ? await checkTip(tip) : false;
      return heads || tips;
    },
    async vet(block, tip) {
      if (!compared) return 'publish';
      // On the block's path: only endpoints that answered last time (a dead one costs the audits, not each block).
      const asked = judged.filter((endpoint) => endpoint.answering);
      if (block === 'reorg') {
        if (!tip) return 'publish';
        if (await checkTip(tip, asked)) return 'refollow';
        const inLine = asked.filter((endpoint) => !endpoint.state.demoted);
        const answers = await Promise.all(inLine.map((endpoint) => hashAt(endpoint, tip.number)));
        return answers.includes(tip.hash) ? 'hold' : 'publish';
      }
      const inLine = asked.filter((endpoint) => !endpoint.state.demoted);
      const [changed, answers] = await Promise.all([
        tip && tip.number < block.number ? checkTip(tip, asked) : false,
        Promise.all(inLine.map((endpoint) => hashAt(endpoint, block.number))),
      ]);
      if (changed) return 'refollow';
      const known = answers.filter(
        (answer, i): answer is Hex => typeof answer === 'string' && !inLine[i]!.state.demoted,
      );
      if (known.every((answer) => answer === block.hash)) return 'publish';
      // No endpoint in line serves the sync's block: it came from one demoted meanwhile, or the chain moved.
      if (!known.includes(block.hash)) return 'refollow';
      // Three or more: the majority of those that have the block decides; two that differ wait.
      const agreeing = known.filter((answer) => answer === block.hash).length;
      if (agreeing * 2 > known.length) return 'publish';
      const counts = new Map<Hex, number>();
      for (const answer of known) counts.set(answer, (counts.get(answer) ?? 0) + 1);
      if ([...counts.values()].some((count) => count * 2 > known.length)) return 'refollow';
      return 'hold';
    },
    states: () => judged.map((endpoint) => ({ ...endpoint.state })),
  };
}

const short = (hash: string) => `${hash.slice(0, 10)}…`;
