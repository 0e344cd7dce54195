import { type Alert, alertHeadline, type Sink } from './alert.ts';
import { postJson } from './http.ts';

export type SlackSinkOptions = {
  /** Incoming-webhook URL (contains a secret token; never logged). */
  webhookUrl: string;
  timeoutMs?: number | undefined;
  name?: string | undefined;
  fetch?: typeof fetch | undefined;
};

const severityEmoji: Record<Alert['severity'], string> = {
  critical: ':rotating_light:',
  high: ':red_circle:',
  medium: ':large_orange_circle:',
  low: ':large_yellow_circle:',
  info: ':information_source:',
};

/** Escapes the three characters Slack mrkdwn treats as control characters. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function slackPayload(alert: Alert): Record<string, unknown> {
  const fields = [
    `*Severity:*\n${alert.severity}`,
    `*Rule:*\n${escapeSlack(alert.ruleId)}`,
    `*Chain:*\n${alert.chainId}`,
    `*Block:*\n${alert.blockNumber}`,
    `*Contract:*\n\`${escapeSlack(alert.contract)}\``,
    ...(alert.txHash ? [`*Tx:*\n\`${escapeSlack(alert.txHash)}\``] : []),
  ].map((text) => ({ type: 'mrkdwn', text }));
  return {
    text: alertHeadline(alert),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: alertHeadline(alert).slice(0, 150), emoji: true } },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `${severityEmoji[alert.severity]} ${escapeSlack(alert.summary)}` },
      },
      { type: 'section', fields },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `${escapeSlack(alert.at)} · id ${escapeSlack(alert.id)}${alert.incidentId ? ` · incident ${escapeSlack(alert.incidentId)}` : ''}`,
          },
        ],
      },
    ],
  };
}

/** Posts to a Slack incoming webhook with Block Kit blocks. */
export function createSlackSink(options: SlackSinkOptions): Sink {
  const name = options.name ?? 'slack';
  return {
    name,
    async send(alert: Alert) {
      await postJson({
        sink: name,
        url: options.webhookUrl,
        body: JSON.stringify(slackPayload(alert)),
        timeoutMs: options.timeoutMs,
        fetch: options.fetch,
      });
    },
  };
}
