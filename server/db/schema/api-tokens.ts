import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';
import { ROLES } from '../../../lib/roles';
import { users } from './users';

// Bearer tokens for CI/CD. Only a hash of the secret is kept: the token is shown once at creation.
// A token acts with its own role, never more than its creator's at creation time.
export const apiTokens = sqliteTable(
  'api_tokens',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    /** First characters of the token, shown in lists so operators can tell tokens apart. */
    prefix: text('prefix').notNull(),
    /** SHA-256 of the whole token, hex: tokens are long random strings, so a slow hash buys nothing. */
    tokenHash: text('token_hash').notNull().unique(),
    role: text('role', { enum: ROLES }).notNull(),
    createdBy: text('created_by').notNull().references(() => users.id),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }),
    lastUsedAt: integer('last_used_at', { mode: 'timestamp_ms' }),
    revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('api_tokens_created_by').on(t.createdBy)],
);

export type ApiTokenRow = typeof apiTokens.$inferSelect;
