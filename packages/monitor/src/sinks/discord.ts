import type { Alert, Sink } from './alert.ts';
import { postJson } from './http.ts';

export type DiscordSinkOptions = {
  /** Webhook URL (contains a secret token; never logged). */
  webhookUrl: string;
  username?: string | undefined;
  timeoutMs?: number | undefined;
  name?: string | undefined;
  fetch?: typeof fetch | undefined;
};

export const DISCORD_COLORS: Record<Alert['severity'], number> = {
  critical: 0x8b0000,
  high: 0xe74c3c,
  medium: 0xe67e22,
  low: 0xf1c40f,
  info: 0x3498db,
};

export function discordPayload(alert: Alert, username?: string): Record<string, unknown> {
  const fields = [
    { name: 'Severity', value: alert.severity, inline: true },
    { name: 'Rule', value: alert.ruleId, inline: true },
    { name: 'Chain', value: String(alert.chainId), inline: true },
    { name: 'Block', value: alert.blockNumber, inline: true },
    { name: 'Contract', value: `\`${alert.contract}\``, inline: false },
    ...(alert.txHash ? [{ name: 'Tx', value: `\`${alert.txHash}\``, inline: false }] : []),
  ];
  return {
    ...(username ? { username } : {}),
    allowed_mentions: { parse: [] },
    embeds: [
      {
        title: alert.title.slice(0, 256),
        description: alert.summary.slice(0, 4096),
        color: DISCORD_COLORS[alert.severity],
        timestamp: alert.at,
        fields,
        footer: { text: `id ${alert.id}${alert.incidentId ? ` · incident ${alert.incidentId}` : ''}` },
      },
    ],
  };
}

/** Posts to a Discord webhook with one embed coloured by severity. */
export function createDiscordSink(options: DiscordSinkOptions): Sink {
  const name = options.name ?? 'discord';
  return {
    name,
    async send(alert: Alert) {
      await postJson({
        sink: name,
        url: options.webhookUrl,
        body: JSON.stringify(discordPayload(alert, options.username)),
        timeoutMs: options.timeoutMs,
        fetch: options.fetch,
      });
    },
  };
}
