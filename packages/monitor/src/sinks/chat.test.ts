import { afterEach, describe, expect, it } from 'vitest';
import { createDiscordSink, DISCORD_COLORS } from './discord.ts';
import { redactSinkSecrets } from './errors.ts';
import { createSlackSink } from './slack.ts';
import { createTelegramSink, escapeMarkdownV2 } from './telegram.ts';
import { sampleAlert, startHttpReceiver } from './testing.ts';

const slackPath = '/services/T0000AAAA/B1111BBBB/XyZsecretSlackToken123';
const discordPath = '/api/webhooks/123456789012345678/discordSecretToken_abc-DEF';
const botToken = '123456789:AAEhBOweik6ad9r_QXMENQjcrGbqCr4K-ra';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe('slack sink', () => {
  it('posts incoming-webhook JSON with blocks', async () => {
    const receiver = await startHttpReceiver(() => ({ status: 200, body: 'ok' }));
    close = receiver.close;
    await createSlackSink({ webhookUrl: `${receiver.url}${slackPath}` }).send(sampleAlert({ summary: 'a <b> & c' }));
    const [request] = receiver.requests;
    expect(request.method).toBe('POST');
    expect(request.url).toBe(slackPath);
    expect(request.headers['content-type']).toBe('application/json');
    const body = JSON.parse(request.body);
    expect(body.text).toBe('[CRITICAL] Large outflow from vault');
    expect(body.blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text' } });
    expect(body.blocks[1].text.text).toContain('a &lt;b&gt; &amp; c');
    expect(JSON.stringify(body.blocks[2].fields)).toContain('19000000');
  });

  it('keeps the webhook token out of errors', async () => {
    const receiver = await startHttpReceiver(() => ({ status: 404, body: `no_service ${slackPath}` }));
    close = receiver.close;
    const error = (await createSlackSink({ webhookUrl: `${receiver.url}${slackPath}` })
      .send(sampleAlert())
      .catch((e: unknown) => e)) as Error;
    expect(error.name).toBe('SinkError');
    expect(error.message).toContain('HTTP 404');
    expect(error.message).not.toContain('XyZsecretSlackToken123');
    expect(JSON.stringify(error)).not.toContain('XyZsecretSlackToken123');
  });

  it('keeps the webhook token out of network errors', async () => {
    const error = (await createSlackSink({ webhookUrl: `http://127.0.0.1:1${slackPath}`, timeoutMs: 2000 })
      .send(sampleAlert())
      .catch((e: unknown) => e)) as Error;
    expect(error.name).toBe('SinkError');
    expect(error.message).not.toContain('XyZsecretSlackToken123');
  });
});

describe('discord sink', () => {
  it('posts an embed coloured by severity', async () => {
    const receiver = await startHttpReceiver(() => ({ status: 204, body: '' }));
    close = receiver.close;
    const sink = createDiscordSink({ webhookUrl: `${receiver.url}${discordPath}`, username: 'Bulwark' });
    await sink.send(sampleAlert({ severity: 'medium' }));
    const [request] = receiver.requests;
    expect(request.method).toBe('POST');
    expect(request.url).toBe(discordPath);
    const body = JSON.parse(request.body);
    expect(body.username).toBe('Bulwark');
    expect(body.allowed_mentions).toEqual({ parse: [] });
    expect(body.embeds).toHaveLength(1);
    expect(body.embeds[0]).toMatchObject({
      title: 'Large outflow from vault',
      color: DISCORD_COLORS.medium,
      timestamp: '2026-01-02T03:04:05.000Z',
    });
    expect(DISCORD_COLORS.critical).not.toBe(DISCORD_COLORS.info);
  });

  it('redacts the webhook token from errors', async () => {
    const receiver = await startHttpReceiver(() => ({ status: 401 }));
    close = receiver.close;
    const error = (await createDiscordSink({ webhookUrl: `${receiver.url}${discordPath}` })
      .send(sampleAlert())
      .catch((e: unknown) => e)) as Error;
    expect(error.message).not.toContain('discordSecretToken_abc-DEF');
  });
});

describe('telegram sink', () => {
  it('calls sendMessage on the configured base URL with MarkdownV2', async () => {
    const receiver = await startHttpReceiver(() => ({ status: 200, body: '{"ok":true,"result":{}}' }));
    close = receiver.close;
    await createTelegramSink({ botToken, chatId: -100123, baseUrl: `${receiver.url}/` }).send(sampleAlert());
    const [request] = receiver.requests;
    expect(request.method).toBe('POST');
    expect(request.url).toBe(`/bot${botToken}/sendMessage`);
    const body = JSON.parse(request.body);
    expect(body.chat_id).toBe(-100123);
    expect(body.parse_mode).toBe('MarkdownV2');
    expect(body.text).toContain('Check \\[ops\\] now\\!');
    expect(body.text).toContain('1,000 ETH \\(50%\\) in one tx\\.');
  });

  it('escapes every MarkdownV2 special character', () => {
    expect(escapeMarkdownV2('_*[]()~`>#+-=|{}.!\\')).toBe('\\_\\*\\[\\]\\(\\)\\~\\`\\>\\#\\+\\-\\=\\|\\{\\}\\.\\!\\\\');
    expect(escapeMarkdownV2('plain text 123')).toBe('plain text 123');
  });

  it('never puts the bot token in errors (HTTP error, ok=false, network error)', async () => {
    const receiver = await startHttpReceiver((_request, index) =>
      index === 0
        ? { status: 400, body: `{"ok":false,"description":"Bad Request: chat not found for bot${botToken}"}` }
        : { status: 200, body: '{"ok":false}' },
    );
    close = receiver.close;
    const sink = createTelegramSink({ botToken, chatId: 1, baseUrl: receiver.url });
    const httpError = (await sink.send(sampleAlert()).catch((e: unknown) => e)) as Error;
    const okFalse = (await sink.send(sampleAlert()).catch((e: unknown) => e)) as Error;
    const network = (await createTelegramSink({ botToken, chatId: 1, baseUrl: 'http://127.0.0.1:1', timeoutMs: 2000 })
      .send(sampleAlert())
      .catch((e: unknown) => e)) as Error;
    for (const error of [httpError, okFalse, network]) {
      expect(error.name).toBe('SinkError');
      expect(`${error.message} ${JSON.stringify(error)}`).not.toContain(botToken);
      expect(error.message).not.toContain('AAEhBOweik6ad9r');
    }
    expect(httpError.message).toContain('HTTP 400');
  });
});

describe('redactSinkSecrets', () => {
  it('strips Slack, Discord and Telegram tokens and known secrets', () => {
    const text = `https://hooks.slack.com${slackPath} https://discord.com${discordPath} https://api.telegram.org/bot${botToken}/sendMessage pass=hunter2hunter2`;
    const redacted = redactSinkSecrets(text, ['hunter2hunter2']);
    for (const secret of ['XyZsecretSlackToken123', 'discordSecretToken_abc-DEF', botToken, 'hunter2hunter2']) {
      expect(redacted).not.toContain(secret);
    }
  });
});
