import { and, asc, desc, eq, lte, sql } from 'drizzle-orm';
import type { AlertAttemptDto, AlertChannelDto } from '@/lib/dto/alerts';
import type { Db } from '../db/client';
import { alertAttempts, alertChannels, alertDeliveries, type AlertChannelRow } from '../db/schema/alerts';
import { MAX_ATTEMPTS } from './backoff';
import { emailConfigSchema, eventsSchema, slackConfigSchema, webhookConfigSchema, type StoredChannel } from './channel';
import { describe, type PublishedAlert } from './events';

// The alert tables: channels, the delivery queue and the attempt log.

export function toStored(row: AlertChannelRow): StoredChannel {
  const base = { id: row.id, name: row.name, enabled: row.enabled, events: eventsSchema.parse(JSON.parse(row.events)), secret: row.secret };
  const config = JSON.parse(row.config) as unknown;
  switch (row.kind) {
    case 'webhook':
      return { ...base, kind: 'webhook', config: webhookConfigSchema.parse(config) };
    case 'slack':
      return { ...base, kind: 'slack', config: slackConfigSchema.parse(config) };
    case 'email':
      return { ...base, kind: 'email', config: emailConfigSchema.parse(config) };
  }
}

export function channelDto(row: AlertChannelRow): AlertChannelDto {
  const c = toStored(row);
  const target = c.kind === 'webhook' ? c.config.url : c.kind === 'slack' ? c.config.host : `${c.config.host}:${c.config.port}`;
  return {
    id: c.id,
    name: c.name,
    kind: c.kind,
    enabled: c.enabled,
    events: c.events,
    target,
    settings: { ...c.config },
    secretSet: Boolean(c.secret),
    updatedAt: row.updatedAt.toISOString(),
    updatedBy: row.updatedBy,
  };
}

export const listChannelRows = (db: Db) => db.select().from(alertChannels).orderBy(asc(alertChannels.createdAt)).all();
export const channelRow = (db: Db, id: string) => db.select().from(alertChannels).where(eq(alertChannels.id, id)).get();

/** Queues the alert for every enabled channel that chose its event; answers how many. */
export function enqueue(db: Db, alert: PublishedAlert, now: Date): number {
  return db.transaction((tx) => {
    let n = 0;
    for (const row of tx.select().from(alertChannels).where(eq(alertChannels.enabled, true)).all()) {
      const channel = toStored(row);
      if (!channel.events.includes(alert.kind)) continue;
      tx.insert(alertDeliveries)
        .values({ channelId: channel.id, channelName: channel.name, event: alert.kind, payload: JSON.stringify(alert), test: false, status: 'pending', attempts: 0, nextAttemptAt: now, createdAt: now })
        .run();
      n++;
    }
    return n;
  });
}

export type DueDelivery = { id: number; channelId: string; attempts: number; alert: PublishedAlert };

export function dueDeliveries(db: Db, now: Date, limit = 20): DueDelivery[] {
  return db
    .select()
    .from(alertDeliveries)
    .where(and(eq(alertDeliveries.status, 'pending'), lte(alertDeliveries.nextAttemptAt, now)))
    .orderBy(asc(alertDeliveries.nextAttemptAt), asc(alertDeliveries.id))
    .limit(limit)
    .all()
    .map((r) => ({ id: r.id, channelId: r.channelId, attempts: r.attempts, alert: JSON.parse(r.payload) as PublishedAlert }));
}

/** When the next pending delivery is due, or null for none. */
export function nextDue(db: Db): Date | null {
  const row = db
    .select({ at: sql<number>`min(${alertDeliveries.nextAttemptAt})` })
    .from(alertDeliveries)
    .where(eq(alertDeliveries.status, 'pending'))
    .get();
  return row?.at ? new Date(row.at) : null;
}

/** Records one attempt and the delivery's new state, in one transaction. */
export function recordAttempt(db: Db, deliveryId: number, attempt: { n: number; at: Date; error: string | null; next: Date | null }): void {
  db.transaction((tx) => {
    tx.insert(alertAttempts).values({ deliveryId, attempt: attempt.n, at: attempt.at, ok: attempt.error === null, error: attempt.error }).run();
    const status = attempt.error === null ? 'sent' : attempt.next ? 'pending' : 'failed';
    tx.update(alertDeliveries).set({ status, attempts: attempt.n, nextAttemptAt: status === 'pending' ? attempt.next : null }).where(eq(alertDeliveries.id, deliveryId)).run();
  });
}

/** A test send: one delivery of one attempt, in the log like any other. */
export function insertTestDelivery(db: Db, channel: StoredChannel, alert: PublishedAlert, now: Date): number {
  const row = db
    .insert(alertDeliveries)
    .values({ channelId: channel.id, channelName: channel.name, event: alert.kind, payload: JSON.stringify(alert), test: true, status: 'pending', attempts: 0, nextAttemptAt: null, createdAt: now })
    .returning({ id: alertDeliveries.id })
    .get();
  return row.id;
}

/** The delivery log, newest attempt first. */
export function listAttempts(db: Db, opts: { limit: number; channelId?: string }): AlertAttemptDto[] {
  return db
    .select({ a: alertAttempts, d: alertDeliveries })
    .from(alertAttempts)
    .innerJoin(alertDeliveries, eq(alertAttempts.deliveryId, alertDeliveries.id))
    .where(opts.channelId ? eq(alertDeliveries.channelId, opts.channelId) : undefined)
    .orderBy(desc(alertAttempts.at), desc(alertAttempts.id))
    .limit(opts.limit)
    .all()
    .map(({ a, d }) => {
      const alert = JSON.parse(d.payload) as PublishedAlert;
      return {
        id: a.id,
        deliveryId: d.id,
        channelId: d.channelId,
        channelName: d.channelName,
        event: alert.kind,
        title: describe(alert).title,
        test: d.test,
        attempt: a.attempt,
        maxAttempts: d.test ? 1 : MAX_ATTEMPTS,
        ok: a.ok,
        retried: !a.ok && a.attempt < d.attempts,
        error: a.error,
        at: a.at.toISOString(),
        deliveryStatus: d.status,
        nextAttemptAt: d.nextAttemptAt?.toISOString() ?? null,
      };
    });
}
