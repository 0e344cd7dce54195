export {
  ALERT_SEVERITIES,
  type Alert,
  type AlertSeverity,
  alertHeadline,
  alertToJson,
  retractionOf,
  type Sink,
} from './alert.ts';
export { createDiscordSink, DISCORD_COLORS, type DiscordSinkOptions, discordPayload } from './discord.ts';
export {
  createDispatcher,
  type Dispatcher,
  type DispatcherOptions,
  type DispatchOptions,
  type DispatchSummary,
  type SinkOutcome,
} from './dispatcher.ts';
export { buildMessage, createEmailSink, dotStuff, type EmailSinkOptions } from './email.ts';
export { redactSinkSecrets, SinkError } from './errors.ts';
export { createJsonlSink, type JsonlSinkOptions } from './jsonl.ts';
export { createSlackSink, escapeSlack, type SlackSinkOptions, slackPayload } from './slack.ts';
export { createStdoutSink, type StdoutSinkOptions } from './stdout.ts';
export { createTelegramSink, escapeMarkdownV2, type TelegramSinkOptions, telegramText } from './telegram.ts';
export {
  createWebhookSink,
  SIGNATURE_HEADER,
  signWebhookPayload,
  TIMESTAMP_HEADER,
  verifyWebhookSignature,
  type WebhookSinkOptions,
} from './webhook.ts';
