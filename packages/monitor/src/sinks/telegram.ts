import { type Alert, alertHeadline, type Sink } from './alert.ts';
import { SinkError } from './errors.ts';
import { postJson } from './http.ts';

export type TelegramSinkOptions = {
  /** Bot token `<id>:<secret>` (never logged). */
  botToken: string;
  chatId: string | number;
  /** Defaults to https://api.telegram.org. */
  baseUrl?: string | undefined;
  timeoutMs?: number | undefined;
  name?: string | undefined;
  fetch?: typeof fetch | undefined;
};

/** Escapes every character MarkdownV2 reserves (plus the backslash itself). */
export function escapeMarkdownV2(text: string): string {
  return text.replace(/[_*[\]()~`>#+\-=|{}.!\\]/g, '\\$&');
}

export function telegramText(alert: Alert): string {
  const e = escapeMarkdownV2;
  return [
    `*${e(alertHeadline(alert))}*`,
    e(alert.summary),
    '',
    `Rule: ${e(alert.ruleId)}`,
    `Chain: ${e(String(alert.chainId))} · Block: ${e(alert.blockNumber)}`,
    `Contract: \`${e(alert.contract)}\``,
    ...(alert.txHash ? [`Tx: \`${e(alert.txHash)}\``] : []),
    `_${e(alert.at)}_`,
  ].join('\n');
}

/** Bot API `sendMessage` with MarkdownV2. */
export function createTelegramSink(options: TelegramSinkOptions): Sink {
  const name = options.name ?? 'telegram';
  const base = (options.baseUrl ?? 'https://api.telegram.org').replace(/\/+$/, '');
  const url = `${base}/bot${options.botToken}/sendMessage`;
  return {
    name,
    async send(alert: Alert) {
      const { text } = await postJson({
        sink: name,
        url,
        secrets: [options.botToken],
        timeoutMs: options.timeoutMs,
        fetch: options.fetch,
        body: JSON.stringify({
          chat_id: options.chatId,
          text: telegramText(alert).slice(0, 4096),
          parse_mode: 'MarkdownV2',
          disable_web_page_preview: true,
        }),
      });
      let ok = true;
      try {
        ok = (JSON.parse(text) as { ok?: unknown }).ok !== false;
      } catch {
        // A non-JSON 2xx body is accepted.
      }
      if (!ok)
        throw new SinkError('Bot API returned ok=false', { sink: name, retryable: false, secrets: [options.botToken] });
    },
  };
}
