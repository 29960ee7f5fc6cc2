import { sqliteTable, text, integer, index, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { sql } from 'drizzle-orm';

// A text column: adding a kind needs no migration.
export const OPERATION_KINDS = ['deploy', 'rollback', 'cleanup', 'dry-run', 'update', 'reset', 'reconcile', 'database-copy', 'backup', 'restore', 'drill', 'retention', 'repository-check', 'apply-settings', 'pre-pull', 'prune-images', 'promote'] as const;
export const OPERATION_STATUSES = ['running', 'succeeded', 'failed', 'cancelled', 'interrupted'] as const;

export const operations = sqliteTable(
  'operations',
  {
    id: text('id').primaryKey(),
    /** The environment it runs on ('local' or an environments row's id): one mutating operation at a time per environment. */
    environmentId: text('environment_id').notNull().default('local'),
    kind: text('kind', { enum: OPERATION_KINDS }).notNull(),
    status: text('status', { enum: OPERATION_STATUSES }).notNull(),
    /** Whether it changes the stack: only one mutating operation may run at a time. */
    mutating: integer('mutating', { mode: 'boolean' }).notNull(),
    params: text('params').notNull(),
    actorId: text('actor_id'),
    actorEmail: text('actor_email'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    finishedAt: integer('finished_at', { mode: 'timestamp_ms' }),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
    result: text('result'),
  },
  (t) => [
    index('operations_created').on(t.createdAt),
    index('operations_environment_created').on(t.environmentId, t.createdAt),
    // The lease: the database itself refuses a second running mutating operation in one environment.
    uniqueIndex('operations_one_running').on(t.environmentId, t.mutating).where(sql`status = 'running' AND mutating = 1`),
  ],
);

export const operationEvents = sqliteTable(
  'operation_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    operationId: text('operation_id')
      .notNull()
      .references(() => operations.id),
    seq: integer('seq').notNull(),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
    step: text('step').notNull(),
    status: text('status').notNull(),
    data: text('data'),
  },
  (t) => [uniqueIndex('operation_events_seq').on(t.operationId, t.seq)],
);

export type OperationRow = typeof operations.$inferSelect;
export type OperationEventRow = typeof operationEvents.$inferSelect;
