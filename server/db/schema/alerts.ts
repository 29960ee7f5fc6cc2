import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';

// Alert channels, the delivery queue and its log (docs/alerts.md). The queue lives here, not in
// memory, so a delivery waiting for its next retry survives a restart of the console.

export const alertChannels = sqliteTable('alert_channels', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  kind: text('kind', { enum: ['webhook', 'slack', 'email'] }).notNull(),
  enabled: integer('enabled', { mode: 'boolean' }).notNull(),
  /** JSON array of event kinds. */
  events: text('events').notNull(),
  /** JSON of the settings that are not secret (URL, SMTP host, port, addresses). */
  config: text('config').notNull(),
  /**
   * The webhook's signing secret, the Slack URL or the SMTP password. Kept like the TOTP secrets
   * in this 0600 database; never in a DTO, the audit trail or an error.
   */
  secret: text('secret'),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  updatedBy: text('updated_by'),
});

/** One event for one channel: pending until sent or out of attempts. */
export const alertDeliveries = sqliteTable(
  'alert_deliveries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** No foreign key: the log outlives a deleted channel (its name is kept beside). */
    channelId: text('channel_id').notNull(),
    channelName: text('channel_name').notNull(),
    event: text('event').notNull(),
    /** JSON of the event as published (AlertEvent), with its id and time. */
    payload: text('payload').notNull(),
    test: integer('test', { mode: 'boolean' }).notNull(),
    status: text('status', { enum: ['pending', 'sent', 'failed'] }).notNull(),
    attempts: integer('attempts').notNull(),
    nextAttemptAt: integer('next_attempt_at', { mode: 'timestamp_ms' }),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('alert_deliveries_due').on(t.status, t.nextAttemptAt)],
);

/** The delivery log: every attempt with its outcome and its (scrubbed) error. */
export const alertAttempts = sqliteTable(
  'alert_attempts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    deliveryId: integer('delivery_id')
      .notNull()
      .references(() => alertDeliveries.id, { onDelete: 'cascade' }),
    attempt: integer('attempt').notNull(),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
    ok: integer('ok', { mode: 'boolean' }).notNull(),
    error: text('error'),
  },
  (t) => [index('alert_attempts_at').on(t.at)],
);

export type AlertChannelRow = typeof alertChannels.$inferSelect;
export type AlertDeliveryRow = typeof alertDeliveries.$inferSelect;
