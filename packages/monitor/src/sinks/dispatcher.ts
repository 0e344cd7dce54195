import { type Alert, retractionOf, type Sink } from './alert.ts';
import { redactSinkSecrets, SinkError } from './errors.ts';

export type DispatcherOptions = {
  sinks: readonly Sink[];
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
  delivered: number;
  failed: number;
  outcomes: SinkOutcome[];
};

/** Which sinks to send to; default every sink. The monitor's outbox names the ones still owed. */
export type DispatchOptions = { sinks?: readonly string[] | undefined };

/**
 * Fans alerts out to every sink independently, with bounded retries. It keeps no state: whether an
 * alert is a duplicate (the one cooldown) is decided by the store when the alert is recorded.
 */
export type Dispatcher = {
  /** The sinks' names, in order (unique: the outbox records deliveries by name). */
  readonly sinks: readonly string[];
  dispatch(alert: Alert, options?: DispatchOptions): Promise<DispatchSummary>;
  /** Withdraws an alert (same id) at the given sinks: `retract` where a sink has it, else `send` of `retractionOf`. */
  retract(alert: Alert, retracted: { at: string; reason: string }, options?: DispatchOptions): Promise<DispatchSummary>;
};

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const maxAttempts = Math.min(10, Math.max(1, Math.floor(options.maxAttempts ?? 3)));
  const backoffMs = Math.max(0, options.backoffMs ?? 500);

  async function deliver(sink: Sink, attempt: () => Promise<void>): Promise<SinkOutcome> {
    const started = now();
    let lastError: unknown;
    let attempts = 0;
    while (attempts < maxAttempts) {
      attempts++;
      try {
        await attempt();
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

  async function fanOut(
    alert: Alert,
    selected: readonly string[] | undefined,
    attempt: (sink: Sink) => Promise<void>,
  ): Promise<DispatchSummary> {
    const sinks = selected ? options.sinks.filter((sink) => selected.includes(sink.name)) : options.sinks;
    const outcomes = await Promise.all(sinks.map((sink) => deliver(sink, () => attempt(sink))));
    const delivered = outcomes.filter((outcome) => outcome.ok).length;
    return { alertId: alert.id, dedupeKey: alert.dedupeKey, delivered, failed: outcomes.length - delivered, outcomes };
  }

  return {
    sinks: options.sinks.map((sink) => sink.name),
    dispatch: (alert, dispatchOptions = {}) => fanOut(alert, dispatchOptions.sinks, (sink) => sink.send(alert)),
    retract(alert, retracted, dispatchOptions = {}) {
      const retraction = retractionOf(alert, retracted);
      return fanOut(alert, dispatchOptions.sinks, (sink) =>
        sink.retract ? sink.retract(retraction) : sink.send(retraction),
      );
    },
  };
}
