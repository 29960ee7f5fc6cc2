import { sqliteTable, text, integer } from 'drizzle-orm/sqlite-core';
import { ROLES, type Role } from '../../../lib/roles';

export type { Role };

export const users = sqliteTable('users', {
  id: text('id').primaryKey(),
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  passwordHash: text('password_hash').notNull(),
  role: text('role', { enum: ROLES }).notNull(),
  disabledAt: integer('disabled_at', { mode: 'timestamp_ms' }),
  /** Base32 TOTP secret once the user has confirmed a first code; null while the second factor is off. */
  totpSecret: text('totp_secret'),
  /** A secret offered at enrolment, kept until the user confirms it with a valid code. */
  totpPendingSecret: text('totp_pending_secret'),
  /** Last accepted TOTP time step, so a code cannot be replayed within its window. */
  totpLastStep: integer('totp_last_step'),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
});

export type UserRow = typeof users.$inferSelect;
