import 'server-only';
import { and, desc, eq, gte, isNull, lte, or, sql, type SQL } from 'drizzle-orm';
import { isSecretEntry, urlPasswordsOf } from '@/lib/settings/env-catalog';
import type { Db } from './client';
import { auditEvents, type AuditRow } from './schema/audit';

export type AuditOutcome = 'success' | 'failure' | 'denied';

export type AuditEntry = {
  actor?: { id: string; email: string } | null;
  action: string;
  target?: string | null;
  params?: Record<string, unknown>;
  sourceIp?: string | null;
  outcome: AuditOutcome;
  message?: string | null;
};

/**
 * Replaces, at any depth, the value of every key that may hold a secret and every string that
 * carries a URL password, by the one secret rule of the settings page and the event scrubber.
 */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, isSecretEntry(k, v) ? '[redacted]' : redact(v)]));
  }
  return typeof value === 'string' && urlPasswordsOf(value).length > 0 ? '[redacted]' : value;
}

/** The writer of the audit trail: it inserts; nothing deletes, and only appendRefusal updates (triggers enforce both). */
export function appendAudit(db: Pick<Db, 'insert'>, entry: AuditEntry, now = new Date()): void {
  db.insert(auditEvents)
    .values({
      at: now,
      actorId: entry.actor?.id ?? null,
      actorEmail: entry.actor?.email ?? null,
      action: entry.action,
      target: entry.target ?? null,
      params: entry.params ? JSON.stringify(redact(entry.params)) : null,
      sourceIp: entry.sourceIp ?? null,
      outcome: entry.outcome,
      message: entry.message ?? null,
    })
    .run();
}

const TOKEN_ACTOR_INFIX = ' (token: ';

/** How a call made with an API token names its actor: the creator, and which of their tokens. */
export function tokenActorEmail(creatorEmail: string, tokenName: string): string {
  return `${creatorEmail}${TOKEN_ACTOR_INFIX}${tokenName})`;
}

/** The person's own rows and those of their API tokens: filtering by an email finds both. */
function byActor(email: string): SQL | undefined {
  const tokenPrefix = `${email}${TOKEN_ACTOR_INFIX}`;
  // substr rather than LIKE: an email may hold `_` or `%`, which LIKE would read as wildcards.
  return or(eq(auditEvents.actorEmail, email), sql`substr(${auditEvents.actorEmail}, 1, ${tokenPrefix.length}) = ${tokenPrefix}`);
}

/** A refusal of a caller who is not signed in: always from an address, always with its reason. */
export type RefusalEntry = { action: string; target?: string | null; sourceIp: string; outcome: 'failure' | 'denied'; message: string };

/** The row a refusal is counted on: the newest of the same refusal from the same address within the window. */
export function refusalBurstQuery(db: Pick<Db, 'select'>, entry: RefusalEntry, windowMs: number, now: Date) {
  return db
    .select({ id: auditEvents.id })
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.sourceIp, entry.sourceIp),
        eq(auditEvents.action, entry.action),
        gte(auditEvents.at, new Date(now.getTime() - windowMs)),
        eq(auditEvents.outcome, entry.outcome),
        eq(auditEvents.message, entry.message),
        isNull(auditEvents.actorId),
      ),
    )
    .orderBy(desc(auditEvents.at))
    .limit(1);
}

/**
 * Records a refusal of a caller who is not signed in so that a flood of them cannot grow the trail
 * without bound: the first of a burst is a row of its own (who tried, from where, why); the same
 * refusal (action, outcome, reason) from the same address within `windowMs` of that row is counted
 * on it instead. One indexed lookup and one write per call, however long the flood.
 */
export function appendRefusal(db: Db, entry: RefusalEntry, windowMs: number, now = new Date()): void {
  db.transaction((tx) => {
    const burst = refusalBurstQuery(tx, entry, windowMs, now).get();
    if (!burst) {
      appendAudit(tx, entry, now);
      return;
    }
    // max(): a clock stepped back must not make the last repeat go back (the trigger would refuse it).
    tx.update(auditEvents)
      .set({ repeatCount: sql`${auditEvents.repeatCount} + 1`, lastRepeatAt: sql`max(coalesce(${auditEvents.lastRepeatAt}, ${auditEvents.at}), ${now.getTime()})` })
      .where(eq(auditEvents.id, burst.id))
      .run();
  });
}

export type AuditFilter = { action?: string; actorEmail?: string; outcome?: AuditOutcome; from?: Date; to?: Date; limit: number };

export function queryAudit(db: Db, f: AuditFilter): AuditRow[] {
  const where: SQL[] = [];
  if (f.action) where.push(eq(auditEvents.action, f.action));
  const actor = f.actorEmail ? byActor(f.actorEmail) : undefined;
  if (actor) where.push(actor);
  if (f.outcome) where.push(eq(auditEvents.outcome, f.outcome));
  if (f.from) where.push(gte(auditEvents.at, f.from));
  if (f.to) where.push(lte(auditEvents.at, f.to));
  return db.select().from(auditEvents).where(and(...where)).orderBy(desc(auditEvents.id)).limit(f.limit).all();
}
