import { jsonText } from '@bulwark/core';
import {
  getWalletRequestPreviews,
  type LiveChange,
  listAlerts,
  listChangesSince,
  liveChangeKey,
  type StoreClient,
} from '@bulwark/store';
import type { EventHub, LiveEventType } from './eventHub.ts';

export type StoreFeedOptions = {
  /** How often the store is asked; default 1000 ms (0: only when `poll()` is called). */
  intervalMs?: number | undefined;
  /**
   * How far before the previous poll each poll reads again, for rows whose time (the writer's
   * clock, at insert) is older than their commit; default 10 s. Seen changes are dropped by key.
   */
  slackMs?: number | undefined;
  /** A poll that failed (the store down), once per outage: the feed goes on at the next interval. */
  onError?: ((error: unknown) => void) | undefined;
  now?: (() => number) | undefined;
};

export type StoreFeed = {
  /** Reads the store now (coalesced with a poll under way); resolves once what it found is published. */
  poll(): Promise<void>;
  stop(): Promise<void>;
};

const plain = (value: unknown): unknown => JSON.parse(jsonText(value));

/** The event a stored change becomes, and its data. */
export function liveEventOf(change: LiveChange): { type: LiveEventType; data: unknown; key: string } {
  const key = liveChangeKey(change);
  switch (change.kind) {
    case 'alert':
    case 'alert-retracted':
      return { type: change.kind, data: plain(change.alert), key };
    case 'incident':
      return { type: 'incident', data: plain(change.incident), key };
    case 'wallet-request':
      return { type: 'wallet-request', data: plain(change.request), key };
  }
}

/**
 * The events of stored changes, with what a dashboard row needs beyond the changed row itself:
 * an incident's `alertIds` (so the alerts list links them without a refetch) and a wallet
 * request's `preview` (the simulated asset changes, or null), as the REST routes answer them.
 */
export async function liveEventsOf(
  store: StoreClient,
  changes: readonly LiveChange[],
): Promise<{ type: LiveEventType; data: unknown; key: string }[]> {
  const requestIds = changes.flatMap((change) => (change.kind === 'wallet-request' ? [change.request.id] : []));
  const previews = await getWalletRequestPreviews(store, requestIds);
  // Few incidents change per poll (each is a containment in progress), so one small read each.
  const incidentIds = new Set(changes.flatMap((change) => (change.kind === 'incident' ? [change.incident.id] : [])));
  const alertIds = new Map<string, string[]>();
  for (const incidentId of incidentIds)
    alertIds.set(
      incidentId,
      (await listAlerts(store, { incidentId })).map((alert) => alert.id),
    );
  return changes.map((change) => {
    const event = liveEventOf(change);
    if (change.kind === 'incident')
      return { ...event, data: { ...(event.data as object), alertIds: alertIds.get(change.incident.id) ?? [] } };
    if (change.kind === 'wallet-request')
      return { ...event, data: { ...(event.data as object), preview: previews.get(change.request.id) ?? null } };
    return event;
  });
}

/**
 * Publishes what the store says changed (alerts, retractions, incidents, wallet requests) to the
 * hub: how the server hears of a monitor or a CLI in another process, and of its own API's writes.
 * Starts at the present: history is what the REST routes are for.
 */
export function startStoreFeed(store: StoreClient, hub: EventHub, options: StoreFeedOptions = {}): StoreFeed {
  const now = options.now ?? Date.now;
  const slackMs = options.slackMs ?? 10_000;
  // Changes from before the feed started are history, not news (a restarted server republishes nothing).
  const startedAt = now();
  let watermark = startedAt;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  let failing = false;

  async function readOnce(): Promise<void> {
    const pollAt = now();
    const changes = await listChangesSince(store, { since: new Date(Math.max(startedAt, watermark - slackMs)) });
    for (const event of await liveEventsOf(store, changes)) hub.publish(event.type, event.data, event.key);
    watermark = pollAt;
  }

  function poll(): Promise<void> {
    if (stopped) return Promise.resolve();
    if (running) {
      // A change may have been committed after the poll under way read: read once more after it.
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await readOnce();
        } while (again && !stopped);
        failing = false;
      } catch (error) {
        if (!failing) options.onError?.(error);
        failing = true;
      } finally {
        running = undefined;
      }
    })();
    return running;
  }

  const intervalMs = options.intervalMs ?? 1000;
  const timer = intervalMs > 0 ? setInterval(() => void poll(), intervalMs) : undefined;
  timer?.unref();
  return {
    poll,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
