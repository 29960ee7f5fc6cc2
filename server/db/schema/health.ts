import { index, integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

// Health history (server/watch/): what the watcher saw of the stack's containers.

/**
 * One change of a container (a health change, a die, kill, OOM, start, restart or stop), or a
 * `gap`: a span in which the watcher was not listening (console down, Docker's event stream
 * broken), from its last heartbeat to when it listened again. `state` is the container's state
 * after the change (up, unhealthy, down), what the uptime bars are computed from; `seen` rows give a
 * container's state when the watcher first saw it or found it changed after a gap (`reconciled`).
 */
export const healthIncidents = sqliteTable(
  'health_incidents',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** The environment whose container this was ('local' or an environments row's id). */
    environmentId: text('environment_id').notNull().default('local'),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
    /** Only for a gap: when watching resumed. */
    until: integer('until', { mode: 'timestamp_ms' }),
    kind: text('kind', { enum: ['health', 'die', 'kill', 'oom', 'start', 'restart', 'stop', 'seen', 'gap'] }).notNull(),
    /** Container name, service and colour; null for a gap, which concerns every container. */
    container: text('container'),
    service: text('service'),
    color: text('color'),
    state: text('state', { enum: ['up', 'unhealthy', 'down'] }),
    exitCode: integer('exit_code'),
    health: text('health'),
    signal: text('signal'),
    /** Found by comparing `docker ps` with the last known state after a gap, not seen as an event. */
    reconciled: integer('reconciled', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => [index('health_incidents_at').on(t.at), index('health_incidents_container_at').on(t.container, t.at)],
);

/**
 * CPU and memory of one container, averaged over `count` raw 10 s readings from `at` for
 * `resolution` seconds: 10 (raw, kept 24 h), 60 (kept 7 days), 600 (kept 30 days). See
 * server/watch/downsample.ts for why these tiers.
 */
export const healthSamples = sqliteTable(
  'health_samples',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    environmentId: text('environment_id').notNull().default('local'),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
    resolution: integer('resolution').notNull(),
    container: text('container').notNull(),
    service: text('service').notNull(),
    color: text('color'),
    cpuPercent: real('cpu_percent'),
    memoryBytes: integer('memory_bytes'),
    count: integer('count').notNull().default(1),
  },
  (t) => [index('health_samples_resolution_at').on(t.resolution, t.at)],
);

/**
 * One row per environment: its watcher's heartbeat, written while it listens, so a restart (or a
 * reconnect to a remote host) knows where that environment's gap began. The local row is id 1 from
 * before environments.
 */
export const healthWatchState = sqliteTable(
  'health_watch_state',
  {
    id: integer('id').primaryKey(),
    environmentId: text('environment_id').notNull().default('local'),
    heartbeatAt: integer('heartbeat_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [uniqueIndex('health_watch_state_environment').on(t.environmentId)],
);
