import { afterEach, describe, expect, it } from 'vitest';
import { sampleAlert, startHttpReceiver } from './testing.ts';
import { createWebhookSink, signWebhookPayload, verifyWebhookSignature } from './webhook.ts';

const secret = 'whsec_0123456789abcdef';
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe('webhook sink', () => {
  it('POSTs the alert JSON with a valid timestamped HMAC', async () => {
    const receiver = await startHttpReceiver((request) => {
      const timestamp = String(request.headers['x-bulwark-timestamp']);
      const signature = String(request.headers['x-bulwark-signature']);
      return { status: verifyWebhookSignature(secret, timestamp, request.body, signature, 300) ? 204 : 401 };
    });
    close = receiver.close;
    await createWebhookSink({ url: `${receiver.url}/hooks/bulwark`, secret, headers: { 'X-Env': 'test' } }).send(
      sampleAlert(),
    );
    const [request] = receiver.requests;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/hooks/bulwark');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['x-env']).toBe('test');
    expect(request.headers['x-bulwark-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(JSON.parse(request.body)).toEqual(sampleAlert());
  });

  it('throws a retryable SinkError on 500 and a permanent one on 401, without leaking the secret', async () => {
    const receiver = await startHttpReceiver((_request, index) => ({ status: index === 0 ? 500 : 401 }));
    close = receiver.close;
    const sink = createWebhookSink({ url: receiver.url, secret, nowSeconds: () => 1 });
    const first = await sink.send(sampleAlert()).catch((error: unknown) => error);
    expect(first).toMatchObject({ name: 'SinkError', status: 500, retryable: true });
    const second = await sink.send(sampleAlert()).catch((error: unknown) => error);
    expect(second).toMatchObject({ status: 401, retryable: false });
    expect(String((second as Error).message)).not.toContain(secret);
  });
});

describe('verifyWebhookSignature', () => {
  const body = '{"a":1}';
  const now = 1_700_000_000;
  const timestamp = String(now);
  const signature = signWebhookPayload(secret, timestamp, body);

  it('accepts a fresh, correct signature', () => {
    expect(verifyWebhookSignature(secret, timestamp, body, signature, 300, now + 299)).toBe(true);
  });

  it('rejects stale or future timestamps', () => {
    expect(verifyWebhookSignature(secret, timestamp, body, signature, 300, now + 301)).toBe(false);
    expect(verifyWebhookSignature(secret, timestamp, body, signature, 300, now - 301)).toBe(false);
  });

  it('rejects forged signatures, tampered bodies, swapped timestamps and junk', () => {
    expect(verifyWebhookSignature('other-secret', timestamp, body, signature, 300, now)).toBe(false);
    expect(verifyWebhookSignature(secret, timestamp, '{"a":2}', signature, 300, now)).toBe(false);
    expect(verifyWebhookSignature(secret, String(now + 1), body, signature, 300, now)).toBe(false);
    expect(verifyWebhookSignature(secret, timestamp, body, signature.replace('sha256=', ''), 300, now)).toBe(false);
    expect(verifyWebhookSignature(secret, 'abc', body, signature, 300, now)).toBe(false);
    expect(verifyWebhookSignature(secret, timestamp, body, '', 300, now)).toBe(false);
  });
});
