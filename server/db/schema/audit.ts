import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';

// Append-only: migrations add triggers that refuse DELETE, and any UPDATE but raising the two repeat
// columns of a refusal that had no signed-in actor.
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
    /** How many more times the same refusal came from the same address within its window, counted rather than inserted. */
    repeatCount: integer('repeat_count').notNull().default(0),
    lastRepeatAt: integer('last_repeat_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    index('audit_events_at').on(t.at),
    index('audit_events_action').on(t.action),
    index('audit_events_repeats').on(t.sourceIp, t.action, t.at),
  ],
);

export type AuditRow = typeof auditEvents.$inferSelect;

/** Failed sign-ins per account and per source address, for lockouts. */
export const authThrottle = sqliteTable('auth_throttle', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull(),
  windowStart: integer('window_start', { mode: 'timestamp_ms' }).notNull(),
  lockedUntil: integer('locked_until', { mode: 'timestamp_ms' }),
});
