import { createHmac, timingSafeEqual } from 'node:crypto';
import { type Alert, alertToJson, type Sink } from './alert.ts';
import { postJson } from './http.ts';

export const TIMESTAMP_HEADER = 'X-Bulwark-Timestamp';
export const SIGNATURE_HEADER = 'X-Bulwark-Signature';

export type WebhookSinkOptions = {
  url: string;
  /** Shared HMAC secret. */
  secret: string;
  headers?: Record<string, string> | undefined;
  timeoutMs?: number | undefined;
  name?: string | undefined;
  /** Unix seconds; injectable for tests. */
  nowSeconds?: (() => number) | undefined;
  fetch?: typeof fetch | undefined;
};

/** `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`. */
export function signWebhookPayload(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * For receivers: true when `signature` is the HMAC of `<timestamp>.<body>` and the timestamp (unix seconds)
 * is within `toleranceSeconds` of now. Constant-time comparison.
 */
export function verifyWebhookSignature(
  secret: string,
  timestamp: string,
  body: string,
  signature: string,
  toleranceSeconds = 300,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): boolean {
  if (!/^[0-9]{1,12}$/.test(timestamp)) return false;
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhookPayload(secret, timestamp, body), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** POSTs the alert JSON, signed with a timestamped HMAC. */
export function createWebhookSink(options: WebhookSinkOptions): Sink {
  const name = options.name ?? 'webhook';
  const nowSeconds = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  return {
    name,
    async send(alert: Alert) {
      const body = alertToJson(alert);
      const timestamp = String(nowSeconds());
      await postJson({
        sink: name,
        url: options.url,
        body,
        timeoutMs: options.timeoutMs,
        fetch: options.fetch,
        secrets: [options.secret],
        headers: {
          ...options.headers,
          [TIMESTAMP_HEADER]: timestamp,
          [SIGNATURE_HEADER]: signWebhookPayload(options.secret, timestamp, body),
        },
      });
    },
  };
}
