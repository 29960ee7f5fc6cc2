import 'server-only';
import { and, desc, eq, gte, lte, type SQL } from 'drizzle-orm';
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

const SECRET_KEY = /pass(word)?|secret|token|key|hex|credential|totp|otp|confirm/i;

/** Replaces the value of every key that may hold a secret, at any depth. */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) ? '[redacted]' : redact(v)]));
  }
  return value;
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

export type AuditFilter = { action?: string; actorEmail?: string; outcome?: AuditOutcome; from?: Date; to?: Date; limit: number };

export function queryAudit(db: Db, f: AuditFilter): AuditRow[] {
  const where: SQL[] = [];
  if (f.action) where.push(eq(auditEvents.action, f.action));
  if (f.actorEmail) where.push(eq(auditEvents.actorEmail, f.actorEmail));
  if (f.outcome) where.push(eq(auditEvents.outcome, f.outcome));
  if (f.from) where.push(gte(auditEvents.at, f.from));
  if (f.to) where.push(lte(auditEvents.at, f.to));
  return db.select().from(auditEvents).where(and(...where)).orderBy(desc(auditEvents.id)).limit(f.limit).all();
}
