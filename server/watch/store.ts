import { and, asc, desc, eq, gte, isNotNull, lt, ne, sql } from 'drizzle-orm';
import type { HealthIncidentDto } from '@/lib/dto/health';
import type { Db } from '../db/client';
import { healthIncidents, healthSamples, healthWatchState } from '../db/schema/health';
import type { ContainerState, IncidentInput, IncidentKind } from './classify';
import { downsamplePlan, rollUp, type SampleRow } from './downsample';

// The health history's SQL. Synchronous (better-sqlite3); every multi-statement change is one
// transaction, so a crash never leaves a bucket both raw and rolled up. Every read and write names
// its environment ('local' or an environments row's id): each environment's watcher records its
// own stack, and one environment's gap or heartbeat says nothing about another's.

/** Bounds beyond the tiers' own: a restart loop or a stack of many containers cannot grow the file without end. */
export const MAX_SAMPLE_ROWS = 250_000;
export const MAX_INCIDENT_ROWS = 100_000;

type Row = typeof healthIncidents.$inferSelect;

export function incidentDto(r: Row): HealthIncidentDto {
  return {
    id: r.id,
    at: r.at.toISOString(),
    until: r.until?.toISOString() ?? null,
    kind: r.kind,
    container: r.container,
    service: r.service,
    color: r.color === 'blue' || r.color === 'green' ? r.color : null,
    state: r.state,
    exitCode: r.exitCode,
    health: r.health,
    signal: r.signal,
    reconciled: r.reconciled,
  };
}

export function insertIncident(db: Db, env: string, i: IncidentInput): HealthIncidentDto {
  const row = db
    .insert(healthIncidents)
    .values({
      environmentId: env,
      at: i.at,
      until: i.until ?? null,
      kind: i.kind,
      container: i.container,
      service: i.service,
      color: i.color,
      state: i.state,
      exitCode: i.exitCode ?? null,
      health: i.health ?? null,
      signal: i.signal ?? null,
      reconciled: i.reconciled ?? false,
    })
    .returning()
    .get();
  return incidentDto(row);
}

/** Renames the container's latest incident of `kinds` since `since` to `to`; answers it, or null when there is none. */
export function amendLatest(db: Db, env: string, container: string, kinds: IncidentKind[], since: Date, to: IncidentKind): HealthIncidentDto | null {
  const row = db
    .select()
    .from(healthIncidents)
    .where(and(eq(healthIncidents.environmentId, env), eq(healthIncidents.container, container), gte(healthIncidents.at, since)))
    .orderBy(desc(healthIncidents.at), desc(healthIncidents.id))
    .limit(1)
    .get();
  if (!row || !kinds.includes(row.kind)) return null;
  return incidentDto(db.update(healthIncidents).set({ kind: to }).where(eq(healthIncidents.id, row.id)).returning().get());
}

export function incidentById(db: Db, id: number): HealthIncidentDto | null {
  const row = db.select().from(healthIncidents).where(eq(healthIncidents.id, id)).get();
  return row ? incidentDto(row) : null;
}

/** Each container's last recorded state (rows that changed none, and gaps, skipped). */
export function lastKnownStates(db: Db, env: string): Map<string, ContainerState> {
  const rows = db.all<{ container: string; state: ContainerState }>(sql`
    SELECT container, state FROM health_incidents AS h
    WHERE environment_id = ${env} AND state IS NOT NULL
      AND id = (SELECT id FROM health_incidents WHERE environment_id = ${env} AND container = h.container AND state IS NOT NULL ORDER BY at DESC, id DESC LIMIT 1)`);
  return new Map(rows.map((r) => [r.container, r.state]));
}

/** The environment's watcher's last heartbeat (one row per environment: where its next gap begins). */
export function readHeartbeat(db: Db, env: string): Date | null {
  return db.select().from(healthWatchState).where(eq(healthWatchState.environmentId, env)).get()?.heartbeatAt ?? null;
}

export function writeHeartbeat(db: Db, env: string, at: Date): void {
  db.insert(healthWatchState).values({ environmentId: env, heartbeatAt: at }).onConflictDoUpdate({ target: healthWatchState.environmentId, set: { heartbeatAt: at } }).run();
}

export function insertSamples(db: Db, env: string, at: Date, rows: Array<Omit<SampleRow, 'at' | 'count'>>): void {
  if (!rows.length) return;
  db.insert(healthSamples).values(rows.map((r) => ({ ...r, environmentId: env, at, resolution: 10, count: 1 }))).run();
}

function sampleRow(r: Omit<SampleRow, 'at'> & { at: Date | number }): SampleRow {
  return { at: typeof r.at === 'number' ? r.at : r.at.getTime(), container: r.container, service: r.service, color: r.color, cpuPercent: r.cpuPercent, memoryBytes: r.memoryBytes, count: r.count };
}

/**
 * One downsampling pass over one environment's samples (downsample.ts says which), then the size
 * bounds, which are the file's and so every environment's. Per environment: two environments can
 * run the same project id, so the same container names, whose readings must not be averaged together.
 */
export function downsample(db: Db, env: string, now: number): void {
  const plan = downsamplePlan(now);
  db.transaction((tx) => {
    for (const step of plan.roll) {
      const where = and(eq(healthSamples.environmentId, env), eq(healthSamples.resolution, step.from), lt(healthSamples.at, new Date(step.before)));
      const rows = tx.select().from(healthSamples).where(where).all();
      if (!rows.length) continue;
      const rolled = rollUp(rows.map(sampleRow), step.to);
      for (let i = 0; i < rolled.length; i += 500) {
        tx.insert(healthSamples).values(rolled.slice(i, i + 500).map((r) => ({ ...sampleRow(r), environmentId: env, at: new Date(r.at), resolution: step.to }))).run();
      }
      tx.delete(healthSamples).where(where).run();
    }
    tx.delete(healthSamples).where(lt(healthSamples.at, new Date(plan.dropBefore))).run();
    tx.delete(healthIncidents).where(lt(healthIncidents.at, new Date(plan.dropBefore))).run();
    tx.run(sql`DELETE FROM health_samples WHERE id IN (SELECT id FROM health_samples ORDER BY at DESC LIMIT -1 OFFSET ${MAX_SAMPLE_ROWS})`);
    tx.run(sql`DELETE FROM health_incidents WHERE id IN (SELECT id FROM health_incidents ORDER BY at DESC LIMIT -1 OFFSET ${MAX_INCIDENT_ROWS})`);
  });
}

/** Samples of every tier in [from, to): the tiers do not overlap in time, so they read as one series. */
export function samplesBetween(db: Db, env: string, from: Date, to: Date): SampleRow[] {
  return db
    .select()
    .from(healthSamples)
    .where(and(eq(healthSamples.environmentId, env), gte(healthSamples.at, from), lt(healthSamples.at, to)))
    .all()
    .map(sampleRow);
}

/** Incidents in [from, to), newest first, without `seen` rows. */
export function incidentsBetween(db: Db, env: string, from: Date, to: Date, limit: number): HealthIncidentDto[] {
  return db
    .select()
    .from(healthIncidents)
    .where(and(eq(healthIncidents.environmentId, env), gte(healthIncidents.at, from), lt(healthIncidents.at, to), ne(healthIncidents.kind, 'seen')))
    .orderBy(desc(healthIncidents.at), desc(healthIncidents.id))
    .limit(limit)
    .all()
    .map(incidentDto);
}

/** State changes in [from, to) plus each container's last one before `from`, oldest first; and the gaps touching the range. */
export function stateChanges(db: Db, env: string, from: Date, to: Date): { points: Array<{ at: number; container: string; service: string; state: ContainerState }>; gaps: Array<{ from: number; to: number }> } {
  const before = db.all<{ container: string }>(sql`SELECT DISTINCT container FROM health_incidents WHERE environment_id = ${env} AND container IS NOT NULL AND state IS NOT NULL AND at < ${from.getTime()}`);
  const points: Array<{ at: number; container: string; service: string; state: ContainerState }> = [];
  for (const { container } of before) {
    const r = db
      .select()
      .from(healthIncidents)
      .where(and(eq(healthIncidents.environmentId, env), eq(healthIncidents.container, container), isNotNull(healthIncidents.state), lt(healthIncidents.at, from)))
      .orderBy(desc(healthIncidents.at), desc(healthIncidents.id))
      .limit(1)
      .get();
    if (r?.state && r.service) points.push({ at: r.at.getTime(), container, service: r.service, state: r.state });
  }
  const inRange = db
    .select()
    .from(healthIncidents)
    .where(and(eq(healthIncidents.environmentId, env), gte(healthIncidents.at, from), lt(healthIncidents.at, to), isNotNull(healthIncidents.state)))
    .orderBy(asc(healthIncidents.at), asc(healthIncidents.id))
    .all();
  for (const r of inRange) if (r.state && r.container && r.service) points.push({ at: r.at.getTime(), container: r.container, service: r.service, state: r.state });
  const gaps = db
    .select()
    .from(healthIncidents)
    .where(and(eq(healthIncidents.environmentId, env), eq(healthIncidents.kind, 'gap'), lt(healthIncidents.at, to), gte(healthIncidents.until, from)))
    .all()
    .map((g) => ({ from: g.at.getTime(), to: g.until!.getTime() }));
  return { points, gaps };
}
