import 'server-only';
import crypto from 'node:crypto';
import { and, count, eq, isNull, ne } from 'drizzle-orm';
import type { Role } from '@/lib/roles';
import type { Db } from './client';
import { users, type UserRow } from './schema/users';
import { hasRole } from '../auth/roles';
import { endUserSessions } from './sessions';

export type UserChange = { role?: Role; disabledAt?: Date | null; passwordHash?: string };

/**
 * Whether a change must end the user's sessions: a new password (whoever set it, the old one may be
 * what leaked), disabling, or a lower role. Raising a role or enabling takes nothing away.
 */
export function changeEndsSessions(current: Pick<UserRow, 'role'>, change: UserChange): boolean {
  return change.passwordHash !== undefined || Boolean(change.disabledAt) || (change.role !== undefined && !hasRole({ role: change.role }, current.role));
}

/**
 * Applies a change unless it would leave no enabled admin. The check and the write share one
 * transaction, so two admins demoting each other at once cannot both succeed. A change that takes
 * something away ends the user's sessions in the same transaction, except `keepSession` (the
 * caller's own when they change themselves).
 */
export function changeUser(db: Db, id: string, change: UserChange, keepSession?: string): 'ok' | 'not-found' | 'last-admin' {
  return db.transaction(
    (tx) => {
      const row = tx.select().from(users).where(eq(users.id, id)).get();
      if (!row) return 'not-found';
      const losesAdmin = row.role === 'admin' && !row.disabledAt && ((change.role && change.role !== 'admin') || change.disabledAt);
      if (losesAdmin) {
        const others = tx
          .select({ n: count() })
          .from(users)
          .where(and(eq(users.role, 'admin'), isNull(users.disabledAt), ne(users.id, id)))
          .get();
        if ((others?.n ?? 0) === 0) return 'last-admin';
      }
      tx.update(users).set({ ...change, updatedAt: new Date() }).where(eq(users.id, id)).run();
      if (changeEndsSessions(row, change)) endUserSessions(tx, id, keepSession);
      return 'ok';
    },
    { behavior: 'immediate' },
  );
}

export function insertUser(db: Db, input: { email: string; name: string; role: Role; passwordHash: string }): UserRow | 'exists' {
  const now = new Date();
  const row = { id: crypto.randomUUID(), ...input, disabledAt: null, totpSecret: null, totpPendingSecret: null, totpLastStep: null, createdAt: now, updatedAt: now };
  try {
    db.insert(users).values(row).run();
    return row;
  } catch (err) {
    if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') return 'exists';
    throw err;
  }
}
