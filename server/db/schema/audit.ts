import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';

// Append-only: a migration adds triggers that refuse UPDATE and DELETE on this table.
export const auditEvents = sqliteTable(
  'audit_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
    actorId: text('actor_id'),
    actorEmail: text('actor_email'),
    action: text('action').notNull(),
    target: text('target'),
    /** JSON of the parameters, secrets already redacted. */
    params: text('params'),
    sourceIp: text('source_ip'),
    outcome: text('outcome', { enum: ['success', 'failure', 'denied'] }).notNull(),
    message: text('message'),
  },
  (t) => [index('audit_events_at').on(t.at), index('audit_events_action').on(t.action)],
);

export type AuditRow = typeof auditEvents.$inferSelect;

/** Failed sign-ins per account and per source address, for lockouts. */
export const authThrottle = sqliteTable('auth_throttle', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull(),
  windowStart: integer('window_start', { mode: 'timestamp_ms' }).notNull(),
  lockedUntil: integer('locked_until', { mode: 'timestamp_ms' }),
});
