import { sqliteTable, text, integer } from 'drizzle-orm/sqlite-core';

// The console's own switches (not Tale's .env): one row per key, the value as JSON text.
export const consoleSettings = sqliteTable('console_settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedBy: text('updated_by'),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
});
