import type { EndpointHealthChange } from '@bulwark/chain';
import type { LogFields, LogLevel } from '@bulwark/core';

/** What one chain's monitor is doing, for logs now and `/metrics` later. Times are epoch ms. */
export type ChainStatus = {
  chainId: number;
  /** `starting` until the sync follows the chain; `down` while no endpoint answers; `catching-up` while behind the head. */
  state: 'starting' | 'following' | 'down' | 'catching-up' | 'stopped';
  /** Set once the sync first followed the chain (the ready signal). */
  followingSince: number | undefined;
  lastBlock: bigint | undefined;
  lastBlockAt: number | undefined;
  /** The head when last asked (at start and after an outage), and how far behind it the monitor was. */
  head: bigint | undefined;
  lagBlocks: number | undefined;
  /** Since start. */
  outages: number;
  catchUps: number;
  syncErrors: number;
  endpoints: {
    name: string;
    transport: EndpointHealthChange['transport'];
    up: boolean;
    downSince: number | undefined;
    downs: number;
  }[];
};

export type ChainStatusTracker = {
  /** The RPC pool's `onHealthChange`: logs each endpoint's down and recovery once. */
  endpointChanged(change: EndpointHealthChange): void;
  /** The sync has started following the chain, from `checkpoint` when it resumed from one. */
  following(checkpoint?: bigint | undefined): void;
  /** A sync error: logged when it starts an outage, counted otherwise. Returns whether it was logged. */
  syncError(error: Error): boolean;
  /** A block was processed. */
  block(number: bigint): void;
  stopped(): void;
  /** Resolves once the sync follows the chain. */
  readonly whenFollowing: Promise<void>;
  /**
   * Asks the head: a monitor more than `lagBlocks` behind it is catching up (logged once, with its
   * end). Runs every `lagCheckMs` while following; callable directly.
   */
  checkLag(): Promise<void>;
  snapshot(): ChainStatus;
};

export type CreateChainStatusParameters = {
  chainId: number;
  log: (level: LogLevel, message: string, fields?: LogFields) => void;
  /** The chain's head, asked once when the monitor starts following and once after each outage. */
  head: () => Promise<bigint>;
  now?: (() => number) | undefined;
  /** How often the head is asked while following; default 30 s, 0 never. */
  lagCheckMs?: number | undefined;
  /** Blocks behind the head that count as lagging at a periodic check; default 5. */
  lagBlocks?: number | undefined;
};

/**
 * Turns what the sync and the RPC pool go through into events logged once each (endpoint down,
 * endpoint recovered, chain unreachable, reachable again, catching up, caught up) instead of a
 * line at every retry, and keeps the counts and states a metrics endpoint reads.
 */
export function createChainStatus(parameters: CreateChainStatusParameters): ChainStatusTracker {
  const { chainId, log } = parameters;
  const now = parameters.now ?? Date.now;
  const fields = { chain: chainId };
  const status: ChainStatus = {
    chainId,
    state: 'starting',
    followingSince: undefined,
    lastBlock: undefined,
    lastBlockAt: undefined,
    head: undefined,
    lagBlocks: undefined,
    outages: 0,
    catchUps: 0,
    syncErrors: 0,
    endpoints: [],
  };
  let downSince = 0;
  let catchUp: { from: bigint; to: bigint; since: number } | undefined;
  let resolveFollowing: () => void = () => {};
  const whenFollowing = new Promise<void>((resolve) => {
    resolveFollowing = resolve;
  });

  /**
   * Asks the head; when it is more than a block past `base` (the last block processed before an
   * outage, or the checkpoint at start) a catch-up starts, and is logged with its range.
   */
  const measureLag = (base: bigint | undefined, tolerance = 1n) =>
    parameters.head().then(
      (head) => {
        status.head = head;
        if (base === undefined || catchUp !== undefined || head <= base + tolerance) {
          status.lagBlocks = status.lastBlock === undefined ? undefined : Math.max(0, Number(head - status.lastBlock));
          return;
        }
        status.lagBlocks = Math.max(0, Number(head - (status.lastBlock ?? base)));
        status.state = 'catching-up';
        status.catchUps++;
        catchUp = { from: base + 1n, to: head, since: now() };
        log('info', `Chain ${chainId}: ${head - base} block(s) behind the head; catching up on ${base + 1n}–${head}.`, {
          ...fields,
          event: 'catch-up-start',
          from: base + 1n,
          to: head,
        });
        // The sync may have processed them while the head was asked.
        if (status.lastBlock !== undefined && status.lastBlock >= head) caughtUp(status.lastBlock);
      },
      // The head is asked again at the next check; a failure here is the sync's to report.
      () => {},
    );
  const caughtUp = (number: bigint) => {
    if (!catchUp || number < catchUp.to) return;
    log(
      'info',
      `Chain ${chainId}: caught up on blocks ${catchUp.from}–${number} in ${seconds(now() - catchUp.since)}.`,
      {
        ...fields,
        event: 'catch-up-end',
        from: catchUp.from,
        to: number,
      },
    );
    catchUp = undefined;
    if (status.state === 'catching-up') status.state = 'following';
  };

  let lagTimer: ReturnType<typeof setInterval> | undefined;
  const checkLag = () =>
    downSince > 0 ? Promise.resolve() : measureLag(status.lastBlock, BigInt(parameters.lagBlocks ?? 5));

  return {
    whenFollowing,
    checkLag,
    endpointChanged(change) {
      let endpoint = status.endpoints.find((e) => e.name === change.endpoint && e.transport === change.transport);
      if (!endpoint) {
        endpoint = { name: change.endpoint, transport: change.transport, up: true, downSince: undefined, downs: 0 };
        status.endpoints.push(endpoint);
      }
      const what = change.transport === 'http' ? 'RPC endpoint' : 'WebSocket of';
      if (change.state === 'down') {
        endpoint.up = false;
        endpoint.downSince = change.at;
        endpoint.downs++;
        log('warn', `Chain ${chainId}: ${what} ${change.endpoint} is down: ${change.error ?? 'no answer'}`, {
          ...fields,
          event: 'endpoint-down',
          endpoint: change.endpoint,
          transport: change.transport,
        });
      } else {
        endpoint.up = true;
        endpoint.downSince = undefined;
        log('info', `Chain ${chainId}: ${what} ${change.endpoint} recovered after ${seconds(change.downForMs ?? 0)}.`, {
          ...fields,
          event: 'endpoint-recovered',
          endpoint: change.endpoint,
          transport: change.transport,
        });
      }
    },
    following(checkpoint) {
      if (status.followingSince === undefined) status.followingSince = now();
      if (status.state === 'starting') status.state = 'following';
      resolveFollowing();
      void measureLag(checkpoint);
      const every = parameters.lagCheckMs ?? 30_000;
      if (every > 0 && !lagTimer) {
        lagTimer = setInterval(() => void checkLag(), every);
        // The check never keeps the process alive on its own.
        lagTimer.unref();
      }
    },
    syncError(error) {
      status.syncErrors++;
      if (downSince > 0) return false;
      downSince = now();
      status.state = 'down';
      status.outages++;
      // The short message: one line, not the error's every attempt and detail.
      const reason = (error as { shortMessage?: string }).shortMessage ?? error.message.split('\n')[0];
      log('error', `Chain ${chainId}: cannot follow the chain: ${reason}`, { ...fields, event: 'chain-down' });
      return true;
    },
    block(number) {
      const previous = status.lastBlock;
      status.lastBlock = number;
      status.lastBlockAt = now();
      if (downSince > 0) {
        log('info', `Chain ${chainId}: following again after ${seconds(now() - downSince)} (block ${number}).`, {
          ...fields,
          event: 'chain-recovered',
        });
        downSince = 0;
        status.state = 'following';
        void measureLag(previous ?? number - 1n);
      }
      caughtUp(number);
      if (status.head !== undefined) status.lagBlocks = Math.max(0, Number(status.head - number));
    },
    stopped() {
      clearInterval(lagTimer);
      lagTimer = undefined;
      status.state = 'stopped';
    },
    snapshot: () => ({ ...status, endpoints: status.endpoints.map((endpoint) => ({ ...endpoint })) }),
  };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
