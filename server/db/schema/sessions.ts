import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';
import { users } from './users';

// One row per sign-in. The session cookie (a JWT signed and encrypted with the session secret)
// carries the row's id, and a cookie whose row is gone is refused: this is how a sign-out, a
// password change or reset, a role cut or a disabled account end sessions at once instead of when
// the cookie expires. The id is a reference, not a credential: without the secret no cookie can be
// made for it.
export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    /** Sign-in time plus SESSION_MAX_AGE_HOURS: a sign-in lasts that long at most, however busy. */
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('sessions_user_id').on(t.userId), index('sessions_expires_at').on(t.expiresAt)],
);

export type SessionRow = typeof sessions.$inferSelect;
