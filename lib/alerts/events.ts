// The events an alert channel can subscribe to (docs/alerts.md#events). One list for the form's
// checkboxes, the schema that validates a channel and the webhook's `event` field.

export const ALERT_EVENTS = [
  'operation.failed',
  'operation.succeeded',
  'backup.failed',
  'drill.failed',
  'container.unhealthy',
  'container.restarting',
  'disk.threshold',
  'memory.threshold',
  'release.available',
  'tls.expiring',
] as const;
export type AlertEventKind = (typeof ALERT_EVENTS)[number];

export const ALERT_EVENT_LABELS: Record<AlertEventKind, string> = {
  'operation.failed': 'An operation failed (deploy, rollback, update, restore, …)',
  'operation.succeeded': 'An operation succeeded',
  'backup.failed': 'A backup failed',
  'drill.failed': 'A restore drill failed',
  'container.unhealthy': 'A container unhealthy for longer than the threshold',
  'container.restarting': 'A container restarting for longer than the threshold',
  'disk.threshold': 'Disk of the deployment directory past the threshold',
  'memory.threshold': 'Host memory past the threshold',
  'release.available': 'A new Tale release is available',
  'tls.expiring': 'The TLS certificate is close to expiry',
};

export const ALERT_CHANNEL_KINDS = ['webhook', 'slack', 'email'] as const;
export type AlertChannelKind = (typeof ALERT_CHANNEL_KINDS)[number];
