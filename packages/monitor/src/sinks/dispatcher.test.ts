import { afterEach, describe, expect, it } from 'vitest';
import type { Alert, Sink } from './alert.ts';
import { createDispatcher } from './dispatcher.ts';
import { SinkError } from './errors.ts';
import { createSlackSink } from './slack.ts';
import { createTelegramSink } from './telegram.ts';
import { sampleAlert, startHttpReceiver } from './testing.ts';
import { createWebhookSink } from './webhook.ts';

const botToken = '987654321:AAF-secretTelegramTokenValue_0123456';
const slackPath = '/services/T9999ZZZZ/B8888YYYY/slackHookSecret987';

function memorySink(name = 'memory'): Sink & { sent: Alert[] } {
  const sent: Alert[] = [];
  return { name, sent, send: async (alert) => void sent.push(alert) };
}

const noSleep = async () => {};
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

describe('dispatcher: sends, selected sinks and retractions', () => {
  it("default: sends every alert it is given (the one cooldown is the store's) to every sink", async () => {
    const sink = memorySink();
    const dispatcher = createDispatcher({ sinks: [sink], sleep: noSleep });
    // The same key twice: the dispatcher keeps no dedupe state of its own.
    expect(await dispatcher.dispatch(sampleAlert({ id: '1' }))).toMatchObject({ delivered: 1, failed: 0 });
    expect(await dispatcher.dispatch(sampleAlert({ id: '2' }))).toMatchObject({ delivered: 1, failed: 0 });
    expect(sink.sent.map((alert) => alert.id)).toEqual(['1', '2']);
  });

  it('behavior: sends only to the sinks named (the outbox resends to the ones still owed)', async () => {
    const first = memorySink('first');
    const second = memorySink('second');
    const dispatcher = createDispatcher({ sinks: [first, second], sleep: noSleep });
    expect(dispatcher.sinks).toEqual(['first', 'second']);
    const summary = await dispatcher.dispatch(sampleAlert(), { sinks: ['second'] });
    expect(summary.outcomes.map((outcome) => outcome.sink)).toEqual(['second']);
    expect(first.sent).toHaveLength(0);
    expect(second.sent).toHaveLength(1);
  });

  it('behavior: a retraction carries the same id; a sink without retract() is sent it as an alert', async () => {
    const plain = memorySink('plain');
    const retracted: Alert[] = [];
    const withRetract: Sink = {
      name: 'own',
      send: async () => {},
      retract: async (alert) => void retracted.push(alert),
    };
    const dispatcher = createDispatcher({ sinks: [plain, withRetract], sleep: noSleep });
    const alert = sampleAlert({ id: 'a-9' });
    const summary = await dispatcher.retract(alert, { at: '2026-01-02T03:05:00.000Z', reason: 'reorg below 19000000' });
    expect(summary).toMatchObject({ alertId: 'a-9', delivered: 2, failed: 0 });
    for (const sent of [plain.sent[0], retracted[0]]) {
      expect(sent).toMatchObject({
        id: 'a-9',
        dedupeKey: alert.dedupeKey,
        title: `Retracted: ${alert.title}`,
        retracted: { at: '2026-01-02T03:05:00.000Z', reason: 'reorg below 19000000' },
      });
      expect(sent?.summary).toContain('reorg below 19000000');
    }
  });
});

describe('dispatcher retries and isolation', () => {
  it('retries a 500 then succeeds, while an always-failing sink does not block the others', async () => {
    const flaky = await startHttpReceiver((_request, index) => ({ status: index === 0 ? 500 : 200 }));
    const down = await startHttpReceiver(() => ({ status: 503, body: `upstream error at ${slackPath}` }));
    const telegramDown = await startHttpReceiver(() => ({ status: 502, body: `bad gateway bot${botToken}` }));
    closers.push(flaky.close, down.close, telegramDown.close);

    const memory = memorySink();
    const sleeps: number[] = [];
    const logged: string[] = [];
    const dispatcher = createDispatcher({
      sinks: [
        createWebhookSink({ url: `${flaky.url}/hook`, secret: 's3cret-value' }),
        createSlackSink({ webhookUrl: `${down.url}${slackPath}` }),
        createTelegramSink({ botToken, chatId: 42, baseUrl: telegramDown.url }),
        memory,
      ],
      maxAttempts: 3,
      backoffMs: 100,
      sleep: async (ms) => void sleeps.push(ms),
      onSinkError: (sink, message) => logged.push(`${sink}: ${message}`),
    });

    const summary = await dispatcher.dispatch(sampleAlert());
    expect(summary).toMatchObject({ delivered: 2, failed: 2 });
    const bySink = Object.fromEntries(summary.outcomes.map((outcome) => [outcome.sink, outcome]));
    expect(bySink.webhook).toMatchObject({ ok: true, attempts: 2 });
    expect(bySink.memory).toMatchObject({ ok: true, attempts: 1 });
    expect(bySink.slack).toMatchObject({ ok: false, attempts: 3 });
    expect(bySink.slack.error).toContain('HTTP 503');
    expect(bySink.telegram).toMatchObject({ ok: false, attempts: 3 });
    expect(flaky.requests).toHaveLength(2);
    expect(down.requests).toHaveLength(3);
    expect(memory.sent).toHaveLength(1);

    // Bounded exponential backoff with jitter: 100ms then 200ms (±20%).
    expect(sleeps.length).toBe(1 + 2 + 2);
    for (const ms of sleeps) expect(ms).toBeGreaterThanOrEqual(80);
    for (const ms of sleeps) expect(ms).toBeLessThanOrEqual(240);

    // No secrets in outcomes or logs.
    const everything = JSON.stringify(summary) + logged.join('\n');
    expect(logged).toHaveLength(2);
    expect(everything).not.toContain('slackHookSecret987');
    expect(everything).not.toContain(botToken);
    expect(everything).not.toContain('AAF-secretTelegramTokenValue');
    expect(everything).not.toContain('s3cret-value');
  });

  it('stops retrying on a permanent error and survives sinks that throw plain errors', async () => {
    let permanentCalls = 0;
    const permanent: Sink = {
      name: 'permanent',
      send: async () => {
        permanentCalls++;
        throw new SinkError('HTTP 404', { sink: 'permanent', retryable: false });
      },
    };
    const plain: Sink = {
      name: 'plain',
      send: () => {
        throw new Error(
          'boom https://user:hunter2@smtp.example.com/ and bot123456789:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
        );
      },
    };
    const memory = memorySink();
    const summary = await createDispatcher({
      sinks: [permanent, plain, memory],
      sleep: noSleep,
    }).dispatch(sampleAlert());
    expect(permanentCalls).toBe(1);
    expect(summary.outcomes.find((o) => o.sink === 'permanent')).toMatchObject({ ok: false, attempts: 1 });
    const plainOutcome = summary.outcomes.find((o) => o.sink === 'plain');
    expect(plainOutcome).toMatchObject({ ok: false, attempts: 3 });
    expect(plainOutcome?.error).not.toContain('hunter2');
    expect(plainOutcome?.error).not.toContain('AAAAAAAAAAAAAAAAAAAA');
    expect(summary.delivered).toBe(1);
  });
});
