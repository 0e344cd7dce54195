import { authHeaders } from './api.ts';

export type LiveEvent = { id: string | undefined; event: string; data: unknown };

/** Splits a server-sent-events stream into events (comments such as heartbeats are skipped). */
export function parseEventBlock(block: string): LiveEvent | undefined {
  let event = 'message';
  let id: string | undefined;
  const data: string[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'id') id = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0) return undefined;
  const text = data.join('\n');
  try {
    return { id, event, data: JSON.parse(text) };
  } catch {
    return { id, event, data: text };
  }
}

export type StreamState = 'connecting' | 'live' | 'retrying' | 'unavailable';

/**
 * Reads /api/v1/events with fetch streaming (the token goes in a header, never in the URL, so
 * not EventSource) and reconnects with Last-Event-ID after a drop. Stops when `signal` aborts.
 * `onGap` is called when a connection opens with nothing to resume from (the first, or a reconnect
 * before any event had an id), and when the server says its replay was cut off (a `resync`
 * event): pages that apply events to a list fetch it again then.
 */
export async function followEvents(
  onEvent: (event: LiveEvent) => void,
  onState: (state: StreamState) => void,
  signal: AbortSignal,
  /** The stream is open without an event id to resume from, or resumed with a cut-off replay: what happened before may be missed. */
  onGap: () => void = () => {},
): Promise<void> {
  let lastId: string | undefined;
  let delay = 1000;
  while (!signal.aborted) {
    onState('connecting');
    try {
      const response = await fetch('/api/v1/events', {
        headers: { accept: 'text/event-stream', ...authHeaders(), ...(lastId ? { 'last-event-id': lastId } : {}) },
        signal,
      });
      if (response.status === 404) {
        onState('unavailable');
        return;
      }
      if (!response.ok || !response.body) throw new Error(`events: ${response.status}`);
      onState('live');
      // With an id the server replays what was missed; without one, lists must be read again.
      if (lastId === undefined) onGap();
      delay = 1000;
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end = buffer.search(/\r?\n\r?\n/);
        while (end !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
          const event = parseEventBlock(block);
          // The server's replay of what was missed was cut off: lists must be read again.
          if (event?.event === 'resync') onGap();
          else if (event) {
            if (event.id !== undefined) lastId = event.id;
            onEvent(event);
          }
          end = buffer.search(/\r?\n\r?\n/);
        }
      }
    } catch {
      if (signal.aborted) return;
    }
    onState('retrying');
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 15_000);
  }
}

/** How a page's list follows live events: which kinds carry one of its rows, and how many rows it keeps. */
export type LiveListRule<T> = {
  kinds: readonly string[];
  limit: number;
  /** The row's field with its time (ISO 8601) the list is ordered by, newest first. */
  orderBy: keyof T & string;
  /** Events of other kinds that change rows (an incident linking its alerts). */
  also?: (rows: T[], event: LiveEvent) => T[];
};

const timeOf = (row: object, field: string) => String((row as Record<string, unknown>)[field] ?? '');

/**
 * Applies one live event to a list of rows (newest first) by id: a row it already has is updated
 * in place (fields the event lacks are kept), a new one goes in its place by `orderBy` (on top,
 * for news), and the list stays within `limit`. Events of other kinds go to `also`, or leave the list as it was.
 */
export function applyLiveEvent<T extends { id: string }>(rows: T[], event: LiveEvent, rule: LiveListRule<T>): T[] {
  if (!rule.kinds.includes(event.event)) return rule.also ? rule.also(rows, event) : rows;
  const row = event.data as Partial<T> | null;
  if (typeof row?.id !== 'string') return rows;
  const at = rows.findIndex((existing) => existing.id === row.id);
  if (at === -1) {
    // In its place by time: an update to a row too old to be shown (a retraction) stays out.
    const time = timeOf(row, rule.orderBy);
    const place = rows.findIndex((existing) => timeOf(existing, rule.orderBy) <= time);
    const next = place === -1 ? [...rows, row as T] : [...rows.slice(0, place), row as T, ...rows.slice(place)];
    return next.slice(0, rule.limit);
  }
  const next = rows.slice();
  next[at] = { ...rows[at]!, ...row };
  return next;
}

/** An `incident` event names its alerts (`alertIds`): their rows get its id, as /alerts would answer. */
export function linkIncidentAlerts<T extends { id: string; incidentId: string | null }>(
  rows: T[],
  event: LiveEvent,
): T[] {
  const incident = event.data as { id?: unknown; alertIds?: unknown } | null;
  if (event.event !== 'incident' || typeof incident?.id !== 'string' || !Array.isArray(incident.alertIds)) return rows;
  const incidentId = incident.id;
  const linked = new Set(incident.alertIds);
  if (!rows.some((row) => linked.has(row.id) && row.incidentId !== incidentId)) return rows;
  return rows.map((row) => (linked.has(row.id) ? { ...row, incidentId } : row));
}
