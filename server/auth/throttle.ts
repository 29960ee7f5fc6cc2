import 'server-only';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { authThrottle } from '../db/schema/audit';

// Lockouts after repeated failed sign-ins, per account and per source address, and after repeated
// failed API-token attempts, per source address. The address limit is higher: several people (or CI
// runners) may share one address, and it exists to stop spraying many accounts or guessing tokens.

export type ThrottlePolicy = { maxFailures: number; lockoutMs: number };

export const accountKey = (email: string) => `account:${email}`;
export const addressKey = (ip: string) => `address:${ip}`;
/** Kept apart from sign-in's address key: a CI job with a stale token must not lock people out of signing in. */
export const apiTokenAddressKey = (ip: string) => `api-token-address:${ip}`;

/** How many times the per-account limit an address may fail before it is locked out. */
const ADDRESS_FACTOR = 4;

/** The sign-in limits (SIGNIN_MAX_FAILURES, SIGNIN_LOCKOUT_SECONDS) as per-account and per-address policies. */
export function throttlePolicies(limits: { maxFailures: number; lockoutSeconds: number }): { account: ThrottlePolicy; address: ThrottlePolicy } {
  const lockoutMs = limits.lockoutSeconds * 1000;
  return { account: { maxFailures: limits.maxFailures, lockoutMs }, address: { maxFailures: limits.maxFailures * ADDRESS_FACTOR, lockoutMs } };
}

/** When the key's lockout ends, or null when it is not locked out. */
export function lockedUntil(db: Db, key: string, now = Date.now()): Date | null {
  const row = db.select().from(authThrottle).where(eq(authThrottle.key, key)).get();
  return row?.lockedUntil && row.lockedUntil.getTime() > now ? row.lockedUntil : null;
}

export function isLocked(db: Db, key: string, now = Date.now()): boolean {
  return lockedUntil(db, key, now) !== null;
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
