import { jsonText } from '@bulwark/core';
/**
 * The alert every sink receives. Its JSON shape is documented by `alert.schema.json` (draft 2020-12).
 */
export const ALERT_SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export type Alert = {
  /** Unique id of this alert. */
  id: string;
  /** The rule that fired. */
  ruleId: string;
  title: string;
  severity: AlertSeverity;
  chainId: number;
  /** Checksummed or lowercase 0x address. */
  contract: string;
  /** Block number as a decimal string (bigints do not survive JSON). */
  blockNumber: string;
  txHash?: string | undefined;
  /** ISO-8601 time the alert was raised. */
  at: string;
  summary: string;
  details: Record<string, unknown>;
  /** Alerts with the same key are de-duplicated within the cooldown (by the store, when recorded). */
  dedupeKey: string;
  incidentId?: string | undefined;
  /** Set on a retraction: the alert with this id is withdrawn (its block left the chain in a reorg). */
  retracted?: { at: string; reason: string } | undefined;
};

export type Sink = {
  readonly name: string;
  send(alert: Alert): Promise<void>;
  /**
   * Withdraws an alert this sink was sent: `alert` has the same id and carries `retracted`.
   * Without it the sink is sent that alert (`retractionOf` words it as a withdrawal).
   */
  retract?(alert: Alert): Promise<void>;
};

/** The alert as a withdrawal: same id and key, `retracted` set, and a title and summary that say so. */
export function retractionOf(alert: Alert, retracted: { at: string; reason: string }): Alert {
  return {
    ...alert,
    title: `Retracted: ${alert.title}`,
    summary: `Withdrawn (${retracted.reason}). It said: ${alert.summary}`,
    retracted,
  };
}

/** JSON.stringify that turns bigints into decimal strings, so `details` may carry them. */
export function alertToJson(alert: Alert, space?: number): string {
  return jsonText(alert, space);
}

/** Short one-line description used by the chat and e-mail sinks. */
export function alertHeadline(alert: Alert): string {
  return `[${alert.severity.toUpperCase()}] ${alert.title}`;
}
