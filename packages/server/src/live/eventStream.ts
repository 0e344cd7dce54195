import type { ServerResponse } from 'node:http';
import { listChangesSince, type StoreClient } from '@bulwark/store';
import { type EventHub, eventIdTime, type LiveEvent } from './eventHub.ts';
import { liveEventsOf } from './storeFeed.ts';

export type EventStreamOptions = {
  /** A comment line this often keeps proxies from closing an idle stream; default 15 s. */
  heartbeatMs?: number | undefined;
  /**
   * Bytes a client may leave unread before it is dropped (it reconnects with `Last-Event-ID` and
   * resumes); default 1 MiB. A slow client never makes the server buffer without bound.
   */
  maxBufferedBytes?: number | undefined;
  /** Most changes replayed from the store for a client whose id the ring no longer reaches; default 1000. */
  replayLimit?: number | undefined;
};

export const defaultHeartbeatMs = 15_000;

const frame = (event: Pick<LiveEvent, 'id' | 'type' | 'data'>) =>
  `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;

/**
 * Why a resuming client's replay left changes out: more than the replay reads (`replay-limit`), or
 * the store could not be read (`store-unavailable`). Sent as a `resync` event (no id, so the
 * client's Last-Event-ID stays): its lists may lack rows and must be read again.
 */
export type ResyncReason = 'replay-limit' | 'store-unavailable';

const resyncFrame = (reason: ResyncReason, replayed: number) =>
  `event: resync\ndata: ${JSON.stringify({ reason, replayed })}\n\n`;

/** `Last-Event-ID` as an event id; anything else is no id (the stream starts at the present). */
export function parseLastEventId(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !/^\d{1,16}$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

/**
 * Serves one `/events` client on a raw response: the events after `lastId` (from the ring, or
 * replayed from the store when the ring does not reach back), then every new one, with a
 * heartbeat. Returns once the client is subscribed; the client's disconnect (or its drop for
 * reading too slowly) unsubscribes it and clears its timer.
 */
export async function serveEventStream(
  raw: ServerResponse,
  parameters: { hub: EventHub; store: StoreClient; lastId: number | undefined; options?: EventStreamOptions },
): Promise<void> {
  const { hub, store, lastId } = parameters;
  const options = parameters.options ?? {};
  const maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
  let closed = false;
  let sentThrough = lastId ?? 0;
  // Events published while the backlog is read wait here, so that none is lost or sent twice.
  let held: LiveEvent[] | undefined = [];
  const unsubscribe = hub.subscribe((event) => {
    if (held) held.push(event);
    else send(event);
  });
  const heartbeat = setInterval(() => write(': heartbeat\n\n'), options.heartbeatMs ?? defaultHeartbeatMs);
  const close = () => {
    if (closed) return;
    closed = true;
    unsubscribe();
    clearInterval(heartbeat);
    held = undefined;
  };
  raw.on('close', close);

  function write(text: string): void {
    if (closed) return;
    raw.write(text);
    // Unread bytes pile up in the socket's buffer: past the bound, the client is dropped.
    if (raw.writableLength > maxBuffered) {
      close();
      raw.destroy();
    }
  }
  function send(event: Pick<LiveEvent, 'id' | 'type' | 'data'>): void {
    if (event.id <= sentThrough) return;
    sentThrough = event.id;
    write(frame(event));
  }

  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    // Proxies (nginx) must pass each event on at once.
    'x-accel-buffering': 'no',
  });
  raw.write(': connected\n\n');
  if (lastId !== undefined) {
    const { events, complete } = hub.after(lastId);
    if (!complete) {
      const inRing = new Set(events.map((event) => event.key));
      const replayLimit = options.replayLimit ?? 1000;
      // The store down: the client gets the ring and the live stream, and a resync for the rest.
      const changes = await listChangesSince(store, { since: new Date(eventIdTime(lastId) + 1), limit: replayLimit })
        .then((found) =>
          liveEventsOf(store, found).then((events) => found.map((change, at) => ({ change, event: events[at]! }))),
        )
        .catch(() => undefined);
      // Each kind is read up to the limit: a kind that filled it may have had more.
      const perKind = new Map<string, number>();
      for (const { change } of changes ?? []) perKind.set(change.kind, (perKind.get(change.kind) ?? 0) + 1);
      let cut: ResyncReason | undefined = changes
        ? [...perKind.values()].some((count) => count >= replayLimit)
          ? 'replay-limit'
          : undefined
        : 'store-unavailable';
      // Ids from the change's time: in the past, above the client's id, below the ring's events.
      const ceiling = events[0]?.id ?? hub.origin;
      let id = lastId;
      let replayed = 0;
      for (const { change, event } of changes ?? []) {
        if (inRing.has(event.key)) continue;
        id = Math.max(id + 1, change.at.getTime() * 1000);
        if (id >= ceiling) {
          cut = 'replay-limit';
          break;
        }
        send({ id, type: event.type, data: event.data });
        replayed++;
      }
      if (cut) write(resyncFrame(cut, replayed));
    }
    for (const event of events) send(event);
  } else if (hub.health) send(hub.health);
  const pending = held ?? [];
  held = undefined;
  for (const event of pending) send(event);
}
