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
 */
export async function followEvents(
  onEvent: (event: LiveEvent) => void,
  onState: (state: StreamState) => void,
  signal: AbortSignal,
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
          if (event) {
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
