/** A `/events` client for tests: reads the stream with `fetch`, as the dashboard does. */
export type ReceivedEvent = { id: number; type: string; data: Record<string, unknown> };

export type EventClient = {
  readonly status: number;
  /** Every event received so far, in order. */
  readonly events: ReceivedEvent[];
  /** Comment lines received (`heartbeat`, `connected`). */
  readonly comments: string[];
  /** Resolves with the first event (received or to come) that `match` accepts. */
  waitFor(match: (event: ReceivedEvent) => boolean): Promise<ReceivedEvent>;
  /** Resolves once a comment with this text arrives. */
  waitForComment(text: string): Promise<void>;
  close(): void;
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>;
};

export async function openEventClient(
  url: string,
  options: { token?: string | undefined; lastEventId?: number | undefined } = {},
): Promise<EventClient> {
  const abort = new AbortController();
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.lastEventId !== undefined) headers['last-event-id'] = String(options.lastEventId);
  const response = await fetch(url, { headers, signal: abort.signal });
  const events: ReceivedEvent[] = [];
  const comments: string[] = [];
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const waiter of waiters) waiter();
  };
  let done = false;
  const ended = (async () => {
    if (!response.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields: Record<string, string> = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else {
              const colon = line.indexOf(':');
              fields[line.slice(0, colon)] = line.slice(colon + 1).trimStart();
            }
          }
          if (fields.data !== undefined)
            events.push({ id: Number(fields.id), type: fields.event ?? 'message', data: JSON.parse(fields.data) });
          wake();
        }
      }
    } catch {
      // Aborted by close(), or the server dropped the stream.
    }
    done = true;
    wake();
  })();
  const until = <T>(check: () => T | undefined, what: string) =>
    new Promise<T>((resolve, reject) => {
      const attempt = () => {
        const found = check();
        if (found !== undefined) {
          waiters.delete(attempt);
          resolve(found);
        } else if (done) {
          waiters.delete(attempt);
          reject(new Error(`The stream ended before ${what}.`));
        }
      };
      waiters.add(attempt);
      attempt();
    });
  return {
    status: response.status,
    events,
    comments,
    waitFor: (match) => until(() => events.find(match), 'the event awaited'),
    waitForComment: (text) =>
      until(() => (comments.includes(text) ? true : undefined), `the comment ${text}`).then(() => {}),
    close: () => abort.abort(),
    ended,
  };
}
