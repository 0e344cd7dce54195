import type { Alert, Sink } from './alert.ts';
import { redactSinkSecrets, SinkError } from './errors.ts';

export type DispatcherOptions = {
  sinks: readonly Sink[];
  /** Alerts with a dedupeKey already sent within this window are suppressed. */
  cooldownMs: number;
  /** Milliseconds clock; injectable for tests. */
  now?: (() => number) | undefined;
  /** Tries per sink per alert (bounded to 1..10). Default 3. */
  maxAttempts?: number | undefined;
  /** First backoff; doubles each retry (with ±20% jitter), capped at 30 s. Default 500 ms. */
  backoffMs?: number | undefined;
  /** Injectable sleep (tests). */
  sleep?: ((ms: number) => Promise<void>) | undefined;
  /** Called once per failed sink with a redacted message (e.g. for logging). */
  onSinkError?: ((sink: string, message: string) => void) | undefined;
};

export type SinkOutcome = {
  sink: string;
  ok: boolean;
  attempts: number;
  durationMs: number;
  /** Redacted error message when `ok` is false. */
  error?: string | undefined;
};

export type DispatchSummary = {
  alertId: string;
  dedupeKey: string;
  /** True when the alert was dropped as a duplicate within the cooldown. */
  suppressed: boolean;
  delivered: number;
  failed: number;
  outcomes: SinkOutcome[];
};

export type Dispatcher = {
  dispatch(alert: Alert): Promise<DispatchSummary>;
  /** Forgets every dedupe key (e.g. after a config reload). */
  reset(): void;
};

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Fans alerts out to every sink independently, with bounded retries, dedupe and cooldowns. */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const maxAttempts = Math.min(10, Math.max(1, Math.floor(options.maxAttempts ?? 3)));
  const backoffMs = Math.max(0, options.backoffMs ?? 500);
  const lastSent = new Map<string, number>();

  function prune(at: number): void {
    if (lastSent.size < 1024) return;
    for (const [key, sentAt] of lastSent) if (at - sentAt >= options.cooldownMs) lastSent.delete(key);
  }

  async function deliver(sink: Sink, alert: Alert): Promise<SinkOutcome> {
    const started = now();
    let lastError: unknown;
    let attempts = 0;
    while (attempts < maxAttempts) {
      attempts++;
      try {
        await sink.send(alert);
        return { sink: sink.name, ok: true, attempts, durationMs: now() - started };
      } catch (error) {
        lastError = error;
        if (error instanceof SinkError && !error.retryable) break;
        if (attempts < maxAttempts) {
          const delay = Math.min(30_000, backoffMs * 2 ** (attempts - 1));
          await sleep(Math.round(delay * (0.8 + Math.random() * 0.4)));
        }
      }
    }
    const message = redactSinkSecrets(lastError instanceof Error ? lastError.message : String(lastError));
    try {
      options.onSinkError?.(sink.name, message);
    } catch {
      // A faulty logger must not break dispatch.
    }
    return { sink: sink.name, ok: false, attempts, durationMs: now() - started, error: message };
  }

  return {
    async dispatch(alert) {
      const at = now();
      const previous = lastSent.get(alert.dedupeKey);
      if (previous !== undefined && at - previous < options.cooldownMs) {
        return {
          alertId: alert.id,
          dedupeKey: alert.dedupeKey,
          suppressed: true,
          delivered: 0,
          failed: 0,
          outcomes: [],
        };
      }
      prune(at);
      // Claim the key before sending so concurrent duplicates are suppressed too.
      lastSent.set(alert.dedupeKey, at);
      const outcomes = await Promise.all(options.sinks.map((sink) => deliver(sink, alert)));
      const delivered = outcomes.filter((outcome) => outcome.ok).length;
      // If nothing got through, release the key so the next occurrence is not swallowed.
      if (delivered === 0 && outcomes.length > 0 && lastSent.get(alert.dedupeKey) === at) {
        lastSent.delete(alert.dedupeKey);
      }
      return {
        alertId: alert.id,
        dedupeKey: alert.dedupeKey,
        suppressed: false,
        delivered,
        failed: outcomes.length - delivered,
        outcomes,
      };
    },
    reset() {
      lastSent.clear();
    },
  };
}
