/** The kinds of live event `GET /api/v1/events` sends (docs/server.md#live-events). */
export const liveEventTypes = ['alert', 'alert-retracted', 'incident', 'wallet-request', 'monitor-health'] as const;
export type LiveEventType = (typeof liveEventTypes)[number];

export type LiveEvent = {
  /** Monotonic: microseconds since the epoch when published, or one more than the previous id. */
  id: number;
  type: LiveEventType;
  /** Plain JSON (dates as ISO strings, bigints as decimal strings). */
  data: unknown;
  /** What the event is about (`alert:<id>`): the same key is published once. */
  key: string | undefined;
};

export type EventHubOptions = {
  /** Events kept for clients that resume (`Last-Event-ID`); default 1000. */
  ringSize?: number | undefined;
  /** Keys remembered to publish each change once; default 10 000. */
  keysKept?: number | undefined;
  now?: (() => number) | undefined;
};

/** The time (epoch ms) an event id stands for. */
export const eventIdTime = (id: number): number => Math.floor(id / 1000);

/**
 * Where live events meet: the monitor in this process, the store feed (changes written by other
 * processes) and the API publish to it; each `/events` client subscribes. A bounded ring of the
 * latest events lets a client that reconnects resume after its last id; keys make a change seen by
 * two sources (the monitor and the store feed) one event.
 */
export class EventHub {
  readonly #ring: LiveEvent[] = [];
  readonly #ringSize: number;
  readonly #keys = new Map<string, true>();
  readonly #keysKept: number;
  readonly #listeners = new Set<(event: LiveEvent) => void>();
  #health: LiveEvent | undefined;
  readonly #now: () => number;
  /** The first id this hub could have given: older ids are from before it started. */
  readonly origin: number;
  #lastId: number;
  /** The id of the newest event pushed out of the ring (0: none yet). */
  #evictedThrough = 0;

  constructor(options: EventHubOptions = {}) {
    this.#ringSize = options.ringSize ?? 1000;
    this.#keysKept = options.keysKept ?? 10_000;
    this.#now = options.now ?? Date.now;
    this.origin = this.#now() * 1000;
    this.#lastId = this.origin - 1;
  }

  /** Publishes an event to every subscriber; `undefined` when its key was published before. */
  publish(type: LiveEventType, data: unknown, key?: string): LiveEvent | undefined {
    if (key !== undefined) {
      if (this.#keys.has(key)) return undefined;
      this.#keys.set(key, true);
      if (this.#keys.size > this.#keysKept) this.#keys.delete(this.#keys.keys().next().value!);
    }
    this.#lastId = Math.max(this.#lastId + 1, this.#now() * 1000);
    const event: LiveEvent = { id: this.#lastId, type, data, key };
    this.#ring.push(event);
    if (type === 'monitor-health') this.#health = event;
    if (this.#ring.length > this.#ringSize) this.#evictedThrough = this.#ring.shift()!.id;
    for (const listener of this.#listeners) listener(event);
    return event;
  }

  /**
   * The events after `lastId` the ring holds; `complete` is false when some may be missing (the id
   * is from before this hub started, or older than the ring reaches back).
   */
  after(lastId: number): { events: LiveEvent[]; complete: boolean } {
    return {
      events: this.#ring.filter((event) => event.id > lastId),
      complete: lastId >= this.origin - 1 && lastId >= this.#evictedThrough,
    };
  }

  /** The latest `monitor-health` event: a new client starts from the chains' current state. */
  get health(): LiveEvent | undefined {
    return this.#health;
  }

  /** Calls `listener` with every event published from now on; returns the unsubscribe. */
  subscribe(listener: (event: LiveEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  get subscribers(): number {
    return this.#listeners.size;
  }
}
