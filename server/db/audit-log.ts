import 'server-only';
import { and, desc, eq, gte, lte, or, sql, type SQL } from 'drizzle-orm';
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

/** The only writer of the audit trail: it inserts; nothing updates or deletes (triggers enforce it). */
export function appendAudit(db: Db, entry: AuditEntry, now = new Date()): void {
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

/** Whether such a row was written at or after `since`: lets a refusal that repeats be recorded once. */
export function auditedSince(db: Db, match: { action: string; sourceIp: string; outcome: AuditOutcome }, since: Date): boolean {
  const row = db
    .select({ id: auditEvents.id })
    .from(auditEvents)
    .where(and(eq(auditEvents.action, match.action), eq(auditEvents.sourceIp, match.sourceIp), eq(auditEvents.outcome, match.outcome), gte(auditEvents.at, since)))
    .limit(1)
    .get();
  return row !== undefined;
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
