import { SinkError } from './errors.ts';

export type PostJsonOptions = {
  sink: string;
  url: string;
  body: string;
  headers?: Record<string, string> | undefined;
  timeoutMs?: number | undefined;
  /** Strings to scrub from any error (tokens, full URLs). */
  secrets?: readonly (string | undefined)[] | undefined;
  fetch?: typeof fetch | undefined;
};

/** POSTs a JSON body; throws a scrubbed SinkError on network errors and non-2xx (5xx/429 retryable). */
export async function postJson(options: PostJsonOptions): Promise<{ status: number; text: string }> {
  const doFetch = options.fetch ?? fetch;
  const secrets = [options.url, ...(options.secrets ?? [])];
  let response: Response;
  try {
    response = await doFetch(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'bulwark-monitor', ...options.headers },
      body: options.body,
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (error) {
    throw new SinkError('request failed', { sink: options.sink, cause: error, secrets, retryable: true });
  }
  const text = await response.text().catch(() => '');
  if (!response.ok) {
    const retryable = response.status >= 500 || response.status === 429 || response.status === 408;
    throw new SinkError(`HTTP ${response.status}`, {
      sink: options.sink,
      status: response.status,
      retryable,
      secrets,
      cause: text ? new Error(text.slice(0, 300)) : undefined,
    });
  }
  return { status: response.status, text };
}
