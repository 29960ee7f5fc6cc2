import 'server-only';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { authThrottle } from '../db/schema/audit';

// Lockouts after repeated failed sign-ins, per account and per source address. The address limit
// is higher: several people may share one address, and it exists to stop spraying many accounts.

export type ThrottlePolicy = { maxFailures: number; lockoutMs: number };

export const accountKey = (email: string) => `account:${email}`;
export const addressKey = (ip: string) => `address:${ip}`;

export function isLocked(db: Db, key: string, now = Date.now()): boolean {
  const row = db.select().from(authThrottle).where(eq(authThrottle.key, key)).get();
  return Boolean(row?.lockedUntil && row.lockedUntil.getTime() > now);
}

/** Counts a failure within the lockout window; returns true when this failure locks the key. */
export function recordFailure(db: Db, key: string, policy: ThrottlePolicy, now = Date.now()): boolean {
  return db.transaction((tx) => {
    const row = tx.select().from(authThrottle).where(eq(authThrottle.key, key)).get();
    const fresh = !row || now - row.windowStart.getTime() > policy.lockoutMs;
    const failures = fresh ? 1 : row.failures + 1;
    const lockedUntil = failures >= policy.maxFailures ? new Date(now + policy.lockoutMs) : null;
    const values = { key, failures, windowStart: fresh ? new Date(now) : row.windowStart, lockedUntil };
    tx.insert(authThrottle).values(values).onConflictDoUpdate({ target: authThrottle.key, set: values }).run();
    return lockedUntil !== null;
  });
}

export function clearFailures(db: Db, key: string): void {
  db.delete(authThrottle).where(eq(authThrottle.key, key)).run();
}
