import 'server-only';
import crypto from 'node:crypto';
import { count, eq } from 'drizzle-orm';
import type { Db } from './client';
import { users, type Role, type UserRow } from './schema/users';

export function countUsers(db: Db): number {
  return db.select({ n: count() }).from(users).get()?.n ?? 0;
}

export function findUserByEmail(db: Db, email: string): UserRow | undefined {
  return db.select().from(users).where(eq(users.email, email)).get();
}

export function findUserById(db: Db, id: string): UserRow | undefined {
  return db.select().from(users).where(eq(users.id, id)).get();
}

type NewUser = { email: string; name: string; passwordHash: string; role: Role };

/**
 * Creates the first admin only while the table is empty. The check and the insert share one
 * synchronous transaction, so two concurrent setups cannot both succeed.
 */
export function insertFirstAdmin(db: Db, input: Omit<NewUser, 'role'>): UserRow | undefined {
  return db.transaction((tx) => {
    const existing = tx.select({ n: count() }).from(users).get()?.n ?? 0;
    if (existing > 0) return undefined;
    const now = new Date();
    const row = { id: crypto.randomUUID(), ...input, role: 'admin' as const, disabledAt: null, totpSecret: null, totpPendingSecret: null, totpLastStep: null, createdAt: now, updatedAt: now };
    tx.insert(users).values(row).run();
    return row;
  }, { behavior: 'immediate' });
}
