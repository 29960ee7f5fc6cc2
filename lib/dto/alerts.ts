import type { AlertChannelKind, AlertEventKind } from '../alerts/events';

/** A channel as every reader sees it: never a secret, only whether one is set. */
export type AlertChannelDto = {
  id: string;
  name: string;
  kind: AlertChannelKind;
  enabled: boolean;
  events: AlertEventKind[];
  /** webhook: the URL; slack: only its host (the URL is its credential); email: the SMTP server. */
  target: string;
  /** Kind-specific settings that are not secret (email: host, port, security, user, from, to). */
  settings: Record<string, unknown>;
  /** Whether the secret (webhook secret, Slack URL, SMTP password) is stored. */
  secretSet: boolean;
  updatedAt: string;
  updatedBy: string | null;
};

export type AlertDeliveryStatus = 'pending' | 'sent' | 'failed';

/** One attempt to deliver one event to one channel: the delivery log. */
export type AlertAttemptDto = {
  id: number;
  deliveryId: number;
  channelId: string;
  channelName: string;
  event: AlertEventKind;
  title: string;
  test: boolean;
  attempt: number;
  maxAttempts: number;
  ok: boolean;
  /** A failed attempt after which the delivery was tried again. */
  retried: boolean;
  error: string | null;
  at: string;
  /** The delivery's state after this attempt: pending (a retry at nextAttemptAt), sent or failed. */
  deliveryStatus: AlertDeliveryStatus;
  nextAttemptAt: string | null;
};

export type AlertTestResultDto = { ok: boolean; error: string | null; durationMs: number };

/** The thresholds the checks use (the console's ALERT_* environment keys, docs/alerts.md#thresholds). */
export type AlertThresholdsDto = { healthThresholdSeconds: number; diskPercent: number; memoryPercent: number; diskPath: string; checkSeconds: number; tlsDays: number };
